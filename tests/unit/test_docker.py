"""The Docker image carries everything the app reads, runs as a non-root user and needs a real secret.

No Docker engine runs here: the Dockerfile's COPY lines are read and checked against the folders the
app itself names (its settings and modules), and against the .dockerignore that filters the context.
"""

from __future__ import annotations

import fnmatch
import shlex
from dataclasses import dataclass
from pathlib import PurePosixPath

import yaml

from chekara.config import PROJECT_ROOT, Settings
from chekara.db.migrate import alembic_config
from chekara.services.exchange.schemas import SCHEMA_DIR
from chekara.services.knowledge import KNOWLEDGE_DIR
from chekara.services.risk_ruleset import DEFAULT_RULES_FILE
from chekara.web.assets import APP_STATIC_DIR, asset_folders

DOCKER = PROJECT_ROOT / "docker"
#: Where the checkout lives in the image (the Dockerfile's WORKDIR; PROJECT_ROOT there).
IMAGE_ROOT = PurePosixPath("/app")


@dataclass(frozen=True)
class Copy:
    stage: str
    source: PurePosixPath  # in the build context (relative) or, with from_stage, absolute in that stage
    dest: PurePosixPath  # absolute in the image
    from_stage: str | None


@dataclass
class Dockerfile:
    copies: list[Copy]
    final_stage: str
    workdirs: dict[str, PurePosixPath]
    users: dict[str, str]
    env: dict[str, dict[str, str]]


def _join_continued_lines(text: str) -> list[str]:
    lines, current = [], ""
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.endswith("\\"):
            current += line[:-1] + " "
            continue
        lines.append(current + line)
        current = ""
    return lines


def parse_dockerfile(text: str) -> Dockerfile:
    copies, workdirs, users, env = [], {}, {}, {}
    stage = ""
    for line in _join_continued_lines(text):
        instruction, _, rest = line.partition(" ")
        words = shlex.split(rest)
        match instruction.upper():
            case "FROM":
                stage = words[2] if len(words) == 3 and words[1].upper() == "AS" else f"stage{len(workdirs)}"
                workdirs[stage], users[stage], env[stage] = PurePosixPath("/"), "root", {}
            case "WORKDIR":
                workdirs[stage] = workdirs[stage] / words[0]
            case "USER":
                users[stage] = words[0]
            case "ENV":
                env[stage].update(w.split("=", 1) for w in words if "=" in w)
            case "COPY":
                from_stage = next((w.split("=", 1)[1] for w in words if w.startswith("--from=")), None)
                paths = [w for w in words if not w.startswith("--")]
                dest = workdirs[stage] / paths[-1]
                for source in paths[:-1]:
                    # "COPY a b ./" puts a and b in ./; "COPY folder ./x" puts folder's content in x.
                    target = dest / PurePosixPath(source).name if len(paths) > 2 or paths[-1].endswith("/") else dest
                    copies.append(Copy(stage, PurePosixPath(source), PurePosixPath(*_normal(target)), from_stage))
    return Dockerfile(copies, stage, workdirs, users, env)


def _normal(path: PurePosixPath) -> list[str]:
    parts: list[str] = []
    for part in path.parts:
        if part == "..":
            parts.pop()
        elif part != ".":
            parts.append(part)
    return parts


def _ignored(relative: PurePosixPath, patterns: list[str]) -> bool:
    """Is a context path left out by .dockerignore (it or one of its parents matches)?"""
    candidates = [PurePosixPath(*relative.parts[: i + 1]).as_posix() for i in range(len(relative.parts))]
    return any(fnmatch.fnmatch(c, p) or fnmatch.fnmatch(c, p.removeprefix("**/")) for c in candidates for p in patterns)


def _copied_into_image(path: PurePosixPath, dockerfile: Dockerfile, ignore: list[str], stage: str) -> bool:
    """Does `stage` hold `path` (absolute), copied from the context or from another stage that holds it?"""
    for copy in (c for c in dockerfile.copies if c.stage == stage):
        if path != copy.dest and copy.dest not in path.parents:
            continue
        rest = path.relative_to(copy.dest)
        if copy.from_stage is None:
            source = copy.source / rest
            if (PROJECT_ROOT / source).exists() and not _ignored(source, ignore):
                return True
        elif _made_in_stage(copy.source / rest, dockerfile, ignore, copy.from_stage):
            return True
    return False


def _made_in_stage(path: PurePosixPath, dockerfile: Dockerfile, ignore: list[str], stage: str) -> bool:
    """The frontend stage copies package files and scripts, then `npm ci` and the basemap build write
    node_modules/ and build/ beside them: what they write is what a local `make install` wrote."""
    if _copied_into_image(path, dockerfile, ignore, stage):
        return True
    workdir = dockerfile.workdirs[stage]
    if workdir not in path.parents:
        return False
    local = PROJECT_ROOT / "frontend" / path.relative_to(workdir)
    return local.exists() and local.relative_to(PROJECT_ROOT).parts[1] in {"node_modules", "build"}


def _what_the_app_reads() -> set[PurePosixPath]:
    """Every file or folder the app opens at start or on a request, as paths in the checkout."""
    settings = Settings(env="development")
    paths = [
        PROJECT_ROOT / "pyproject.toml", PROJECT_ROOT / "README.md",  # the install
        PROJECT_ROOT / "backend" / "chekara",  # code, templates, static, data/, exchange_schemas/
        settings.tariff_file, settings.axle_limits_file, DEFAULT_RULES_FILE, SCHEMA_DIR, APP_STATIC_DIR,
        PROJECT_ROOT / alembic_config().get_main_option("script_location"),
        settings.geodata_dir / "checkpoints.geojson", settings.geodata_dir / "corridors.geojson",
        settings.geodata_dir / "kyrgyzstan.geojson",
        KNOWLEDGE_DIR / "topics.toml", KNOWLEDGE_DIR / "answers",
        *asset_folders(settings).values(),
    ]
    return {PurePosixPath(p.resolve().relative_to(PROJECT_ROOT).as_posix()) for p in paths}


def _dockerfile() -> Dockerfile:
    return parse_dockerfile((DOCKER / "Dockerfile").read_text())


def _dockerignore() -> list[str]:
    lines = (PROJECT_ROOT / ".dockerignore").read_text().splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def test_the_image_carries_everything_the_app_reads():
    dockerfile, ignore = _dockerfile(), _dockerignore()
    assert dockerfile.workdirs[dockerfile.final_stage] == IMAGE_ROOT
    missing = sorted(
        str(p) for p in _what_the_app_reads()
        if not _copied_into_image(IMAGE_ROOT / p, dockerfile, ignore, dockerfile.final_stage)
    )
    assert missing == []


def test_the_check_sees_a_missing_copy():
    text = (DOCKER / "Dockerfile").read_text()
    without_uplot = "\n".join(line for line in text.splitlines() if "uplot" not in line)
    without_knowledge = text.replace("COPY knowledge ./knowledge", "")
    for broken in (without_uplot, without_knowledge):
        dockerfile = parse_dockerfile(broken)
        assert not all(
            _copied_into_image(IMAGE_ROOT / p, dockerfile, _dockerignore(), dockerfile.final_stage)
            for p in _what_the_app_reads()
        )


def test_the_local_state_stays_out_of_the_image():
    ignore = _dockerignore()
    for local in ("var/pg", ".venv/bin", "frontend/node_modules/leaflet", ".git/HEAD"):
        assert _ignored(PurePosixPath(local), ignore), local


def test_the_app_runs_as_a_user_of_its_own_in_production():
    dockerfile = _dockerfile()
    assert dockerfile.users[dockerfile.final_stage] not in {"root", "0", "0:0"}
    # Production by default: without a real CHEKARA_SECRET_KEY the settings refuse to start (test_settings.py).
    assert dockerfile.env[dockerfile.final_stage]["CHEKARA_ENV"] == "production"


def test_compose_requires_the_secret_from_the_environment():
    app = yaml.safe_load((DOCKER / "compose.yaml").read_text())["services"]["app"]["environment"]
    assert app["CHEKARA_ENV"] == "production"
    assert app["CHEKARA_SECRET_KEY"].startswith("${CHEKARA_SECRET_KEY:?")
