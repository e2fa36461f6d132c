"""pgBackRest's repositories: where they are (from `pgbackrest.conf`), and `info` run on them.

`info --output=json` says which repository (`repo-key`) holds a backup but not
where that is; the configuration does (`repoN-type`, `repoN-path`,
`repoN-s3-bucket`, `repoN-s3-region`, `repoN-host` ...; a stanza's section
overrides `[global]`). pgBackRest lays a repository out as
`<repo path>/backup/<stanza>/<label>`, so a backup's location is a URL:
`s3://bucket/path/backup/stanza/label`, `gs://`, `azure://`,
`sftp://host/path/...`, or `file://host/path/...` for a POSIX repository.
"""

from __future__ import annotations

import configparser
import json
import shutil
import socket
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from costplane.errors import InputError, ServiceUnavailableError
from costplane.retries import READ_TIMEOUT_SECONDS, with_retries

PGBACKREST = "pgbackrest"
DEFAULT_PATH = "/var/lib/pgbackrest"
BUCKET_OPTION = {"s3": ("s3", "s3-bucket"), "gcs": ("gs", "gcs-bucket")}


@dataclass(frozen=True)
class Repositories:
    """The repository options of one configuration file; empty when none was given."""

    sections: dict[str, dict[str, str]] = field(default_factory=dict)
    host: str = ""

    def option(self, stanza: str, key: int, name: str) -> str | None:
        for section in (stanza, "global"):
            values = self.sections.get(section, {})
            value = values.get(f"repo{key}-{name}") or (
                values.get(f"repo-{name}") if key == 1 else None
            )
            if value:
                return value.strip()
        return None

    def location(self, stanza: str, key: int, label: str) -> str:
        """Where the backup `label` of `stanza` lies in repository `key`, as a URL."""
        if not self.sections:
            return f"pgbackrest://repo{key}/backup/{stanza}/{label}"
        path = "/" + (self.option(stanza, key, "path") or DEFAULT_PATH).strip("/")
        kind = self.option(stanza, key, "type") or "posix"
        if kind in BUCKET_OPTION:
            scheme, option = BUCKET_OPTION[kind]
            root = f"{scheme}://{self.option(stanza, key, option) or ''}"
        elif kind == "azure":
            root = f"azure://{self.option(stanza, key, 'azure-container') or ''}"
        elif kind == "sftp":
            root = f"sftp://{self.option(stanza, key, 'sftp-host') or ''}"
        else:  # posix, cifs: a path on the repository host (this host when none is set)
            root = f"file://{self.option(stanza, key, 'host') or self.host}"
        return f"{root}{path.rstrip('/')}/backup/{stanza}/{label}"

    def region(self, stanza: str, key: int) -> str | None:
        return self.option(stanza, key, "s3-region")


def read_repositories(config: Path) -> Repositories:
    """The sections of a pgbackrest.conf (INI; repeated keys keep the last value)."""
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    try:
        with config.open(encoding="utf-8") as handle:
            parser.read_file(handle)
    except (OSError, UnicodeDecodeError, configparser.Error) as exc:
        reason = str(exc).splitlines()[0]
        raise InputError(f"{config}: not a readable pgBackRest configuration ({reason})") from None
    sections = {name: dict(parser.items(name)) for name in parser.sections()}
    return Repositories(sections, socket.gethostname())


def run_info(
    config: Path,
    *,
    stanza: str | None = None,
    backup_set: str | None = None,
    timeout: float = READ_TIMEOUT_SECONDS,
) -> Any:
    """`pgbackrest info --output=json` against `config`, as parsed JSON.

    A timeout is retried with backoff; an error pgBackRest reports (exit code
    not 0) is not, since running it again would report the same.
    """
    binary = shutil.which(PGBACKREST)
    what = f"pgbackrest info ({config})"
    if binary is None:
        raise ServiceUnavailableError(f"{what}: the pgbackrest command is not installed here")
    command = [binary, f"--config={config.resolve()}"]
    command += [f"--stanza={stanza}"] if stanza else []
    command += [f"--set={backup_set}"] if backup_set else []
    command += ["info", "--output=json"]

    def call() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            command,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
            stdin=subprocess.DEVNULL,
        )

    done = with_retries(
        call,
        what=what,
        retry_on=(subprocess.TimeoutExpired,),
        describe=lambda _: f"no answer within {timeout:g} s",
    )
    if done.returncode != 0:
        raise ServiceUnavailableError(f"{what}: {_reason(done)} (exit code {done.returncode})")
    try:
        return json.loads(done.stdout)
    except json.JSONDecodeError as exc:
        raise ServiceUnavailableError(f"{what}: output is not JSON ({exc})") from None


def _reason(done: subprocess.CompletedProcess[str]) -> str:
    """pgBackRest's first ERROR line (`ERROR: [055]: unable to open ...`), else the first line."""
    lines = [line.strip() for line in (done.stderr + "\n" + done.stdout).splitlines()]
    lines = [line for line in lines if line]
    return next((line for line in lines if line.startswith("ERROR")), lines[0] if lines else "")
