from fairexp.cli import main

main()
