"""The ``fairexp`` command: a Hydra app over the config groups in ``conf/``.

``fairexp dataset=adult model=logreg mitigation=exponentiated_gradient`` runs one
experiment; ``fairexp -m ...`` sweeps. Start-up stays light: pandas, sklearn,
fairlearn and wandb are imported only once a job runs.
"""

from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path
from typing import Any

from fairexp._paths import CONFIG_GROUPS, conf_dir, group_options
from fairexp.errors import FairexpError

_GROUP_OVERRIDE = re.compile(r"^[+~]{0,2}(?P<group>" + "|".join(CONFIG_GROUPS) + r")=(?P<value>.*)$")


def check_group_overrides(argv: list[str]) -> str | None:
    """One-line message for a config-group choice that does not exist (before Hydra's multi-line one)."""
    for arg in argv:
        m = _GROUP_OVERRIDE.match(arg)
        if not m or "(" in m.group("value") or "${" in m.group("value"):
            continue
        group, options = m.group("group"), group_options(m.group("group"))
        for value in m.group("value").split(","):
            value = value.strip()
            if value and value != "null" and value not in options:
                return f"{group}: unknown {group} '{value}' (available: {', '.join(options)})"
    return None


def _first_value(arg: str) -> str:
    """``key=a,b`` -> ``key=a``: enough to check that a sweep's overrides compose."""
    key, sep, value = arg.partition("=")
    if sep and "," in value and not value.lstrip().startswith(("[", "{")) and "(" not in value:
        return f"{key}={value.split(',')[0]}"
    return arg


def check_composition(argv: list[str]) -> str | None:
    """One-line message for an override Hydra cannot apply (a misspelt key, a bad value).

    Hydra's own report is several lines plus a hint about stack traces; users need
    the key and what to do.
    """
    from hydra._internal.utils import get_args_parser

    try:
        parsed = get_args_parser().parse_args(argv)
    except SystemExit:
        return None  # malformed flags: Hydra reports them itself
    overrides = [_first_value(a) for a in parsed.overrides if not a.lstrip("+~").startswith("hydra.")]
    if any("(" in a for a in overrides):
        return None  # sweep functions (range, choice, ...) are checked by Hydra itself
    if all(_GROUP_OVERRIDE.match(a) and not a.startswith(("+", "~")) for a in overrides):
        return None  # only group choices, already checked: spare a second composition (~0.3 s)
    from hydra import compose, initialize_config_dir
    from hydra.errors import HydraException
    from omegaconf.errors import OmegaConfBaseException

    try:
        with initialize_config_dir(config_dir=str(conf_dir()), version_base="1.3", job_name="fairexp"):
            compose("config", overrides=overrides)
    except (HydraException, OmegaConfBaseException) as exc:
        text = f"{exc}\n{exc.__cause__ or ''}"
        key = re.search(r"full_key: (\S+)", text)
        first = text.strip().splitlines()[0] if text.strip() else type(exc).__name__
        if key and "not in struct" in text:
            name = key.group(1)
            if parsed.multirun and name.startswith("mitigation."):
                return (
                    f"{name}: not a key of the default mitigation; in a comparison set one strategy's "
                    f"parameters with '+search.strategy_overrides.<strategy>=[\"{name}=...\"]'"
                )
            return f"{name}: unknown config key (to add a new key use +{name}=...)"
        return f"{key.group(1)}: {first}" if key else first
    return None


def fail(message: str, code: int = 2) -> None:
    """Print one actionable line and exit non-zero, no traceback."""
    print(f"fairexp: error: {message}", file=sys.stderr)
    sys.exit(code)


def _is_multirun() -> bool:
    from hydra.core.hydra_config import HydraConfig
    from hydra.types import RunMode

    return HydraConfig.get().mode == RunMode.MULTIRUN


def run_job(cfg: Any) -> dict[str, dict[str, float]]:
    """Hydra task function: run one experiment in Hydra's output dir and return its metrics.

    The return value (``{"val": {...}, "test": {...}}``) is what a sweeper reads.
    On a user error in a single run the output dir is removed, so nothing
    half-written is passed off as a result.
    """
    import warnings

    from hydra.core.hydra_config import HydraConfig
    from omegaconf import OmegaConf

    from fairexp.experiment import run_experiment, summary_table, write_run
    from fairexp.provenance import redact
    from fairexp.tracking import make_tracker

    warnings.filterwarnings("ignore", category=FutureWarning)
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    run_dir = Path(HydraConfig.get().runtime.output_dir)
    container = OmegaConf.to_container(cfg, resolve=True)
    job_type = str(container["mitigation"].get("name"))
    group = (container.get("logger") or {}).get("group")
    tracker = None
    try:
        tracker = make_tracker(container.get("logger"))
        result = run_experiment(
            container,
            on_data_ready=lambda: tracker.start(
                dir=run_dir, name=run_dir.name, config=redact(container), job_type=job_type, group=group
            ),
        )
        write_run(
            run_dir,
            result,
            OmegaConf.to_yaml(OmegaConf.create(redact(container))),
            save_predictions=bool(container.get("output", {}).get("save_predictions", True)),
        )
    except BaseException as exc:
        if tracker is not None:
            tracker.abort()
        if not isinstance(exc, FairexpError) or _is_multirun():
            raise
        shutil.rmtree(run_dir, ignore_errors=True)
        fail(str(exc))
    tracker.log_run(
        dir=run_dir,
        name=run_dir.name,
        config=redact(container),
        metrics=result.metrics,
        groups=result.groups,
        job_type=job_type,
        group=group,
    )
    if container.get("output", {}).get("print_table", True) and not _is_multirun():
        print(summary_table(result.metrics))
        print(f"run directory: {run_dir}")
    return {k: result.metrics[k] for k in ("val", "test")}


HELP = """\
usage: fairexp [OVERRIDES...]            run one experiment
       fairexp -m [OVERRIDES...]         sweep (with a recipe: Optuna search per strategy)

Examples:
  fairexp dataset=adult model=logreg mitigation=exponentiated_gradient
  fairexp dataset=compas mitigation=threshold_optimizer mitigation.constraints=equalized_odds seed=3
  fairexp dataset=german mitigation=reweighing dataset.sensitive=[sex,age_group]
  fairexp -m experiment=adult_compare search.n_trials=60 search.sampler=nsga2
  fairexp --cfg job                     print the composed config (any Hydra flag works)

Config groups (pick one with group=option, change a key with group.key=value):
{groups}

More: README.md; Hydra's own flags: fairexp --hydra-help
"""


def print_help() -> None:
    """fairexp's help, without Hydra's (which composes every group and takes ~1 s)."""
    lines = [f"  {g + ':':<12} {', '.join(group_options(g))}" for g in CONFIG_GROUPS]
    print(HELP.format(groups="\n".join(lines)))


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if any(a in ("--help", "-h") for a in argv):
        print_help()
        return
    problem = check_group_overrides(argv)
    if problem is None and not any(a in ("--help", "-h", "--hydra-help", "--version") for a in argv):
        problem = check_composition(argv)
    if problem:
        fail(problem)
    import hydra

    app = hydra.main(config_path=str(conf_dir()), config_name="config", version_base="1.3")(run_job)
    sys.argv = [sys.argv[0] if sys.argv else "fairexp", *argv]
    app()


if __name__ == "__main__":
    main()
