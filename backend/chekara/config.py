"""Settings, read once from CHEKARA_* environment variables.

Every variable is listed in the README. Unset variables take the defaults
below, which are made for a developer's machine: outside development the
app refuses to start while the secret is still the default one.
"""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache
from ipaddress import IPv4Network, IPv6Network, ip_network
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

#: The checkout: backend/chekara/config.py -> three levels up.
PROJECT_ROOT = Path(__file__).resolve().parents[2]

DEFAULT_SECRET_KEY = "chekara-development-secret-change-me"


class InsecureSettingsError(RuntimeError):
    """The settings are not safe to run with outside development."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CHEKARA_", extra="ignore")

    env: Literal["development", "test", "production"] = "development"
    #: Used to hash API tokens (HMAC-SHA256). Change it and every token dies.
    secret_key: str = DEFAULT_SECRET_KEY

    #: An external PostgreSQL+PostGIS server. Unset: the embedded cluster.
    database_url: str | None = None
    #: Where the embedded cluster and other run-time state live.
    var_dir: Path = PROJECT_ROOT / "var"
    #: Loopback port of the embedded cluster.
    pg_port: int = Field(default=55432, ge=1024, le=65535)
    #: Folder with initdb, pg_ctl and postgres (Debian's PostgreSQL 15).
    pg_bin: Path = Path("/usr/lib/postgresql/15/bin")
    #: Name of the database inside the embedded cluster.
    pg_database: str = "chekara"

    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    #: Largest request body, bytes; larger ones are refused with 413 before they are read. The default is a
    #: little above the largest legal request, a batch of 10,000 fixes (~200 bytes each in JSON: ~2 MB).
    max_body_bytes: int = Field(default=4 * 1024 * 1024, ge=1024)
    #: Optional XYZ tile server for the maps, e.g. http://tiles.local/{z}/{x}/{y}.png
    tiles_url: str | None = None

    #: Detection thresholds overriding the DESIGN.md defaults, as JSON,
    #: e.g. CHEKARA_DETECTION='{"stop_min_s": 600, "separation_m": 3000}'.
    #: Names: chekara.domain.detection.DetectionThresholds.
    detection: dict[str, float] = Field(default_factory=dict)
    #: Alert severity by type overriding the defaults (chekara.domain.alert_severity), as JSON,
    #: e.g. CHEKARA_ALERT_SEVERITY='{"low_battery": "medium"}'.
    alert_severity: dict[str, str] = Field(default_factory=dict)
    #: Fixes older than this many days are refused (store-and-forward horizon).
    max_fix_age_days: float = Field(default=7.0, gt=0)
    #: Fixes stamped further ahead of the server's clock are refused, seconds (a clock running ahead
    #: would otherwise make the fixes after it look late).
    max_future_s: float = Field(default=60.0, ge=0, le=3600)
    #: OsmAnd requests one device identifier, and one client address, may make a minute.
    osmand_rate_limit_per_device_per_min: int = Field(default=120, ge=1)
    osmand_rate_limit_per_client_per_min: int = Field(default=6000, ge=1)
    #: How often the server sweeps trips for signal loss and overdue arrival, seconds (0: never).
    sweep_interval_s: float = Field(default=30.0, ge=0)
    #: Server processes behind the one port (`chekara serve --workers`); unset: one per CPU core.
    workers: int | None = Field(default=None, ge=1, le=64)
    #: Threads per server process that run the position pipeline over grouped requests (group commit).
    ingest_threads: int = Field(default=1, ge=1, le=16)
    #: Under load (the last group commit carried several requests), how long the next group waits for
    #: more before it runs, milliseconds (0: never waits). A lone request never waits.
    ingest_gather_ms: float = Field(default=1.0, ge=0, le=50)
    #: With several server processes, a group of at least this many fixes is cut into parts by trip
    #: and shared with the other processes (ingest/batch_parts.py; 0: never shared).
    ingest_share_from_fixes: int = Field(default=400, ge=0)
    #: Trips whose detector state each server process keeps in memory after writing it, so that its next
    #: group of the same trip need not read and parse it again (ingest/written_states.py; ~10 kB a trip;
    #: 0: always read).
    ingest_kept_states: int = Field(default=10_000, ge=0)
    #: A trip that gets fixes older than ones already examined (a store-and-forward backlog) has its
    #: detectors run again over this many hours of its track before its newest fix; older late fixes are
    #: stored and not examined (0: never replay).
    late_fix_replay_hours: float = Field(default=24.0, ge=0, le=24 * 7)

    #: Requests a minute one client may make to the public (no token) endpoints.
    public_rate_limit_per_min: int = Field(default=60, ge=1)
    #: Reverse proxies whose X-Forwarded-For is believed: comma-separated IPs or CIDRs, e.g.
    #: "127.0.0.1,172.18.0.0/16". Behind them the client is the rightmost address in X-Forwarded-For
    #: that is not one of them; from any other peer the header is ignored (anyone can write it).
    trusted_proxies: Annotated[tuple[IPv4Network | IPv6Network, ...], NoDecode] = ()

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _comma_separated_networks(cls, value: object) -> object:
        if isinstance(value, str):  # a bad address refuses the start, like every other setting
            return tuple(ip_network(part.strip(), strict=False) for part in value.split(",") if part.strip())
        return value

    #: Where `chekara archive export` writes closed months of positions as GeoParquet; unset: var/archive.
    #: Dask workers on other machines read it, so on a cluster it is shared storage.
    archive_dir: Path | None = None
    #: Calendar months of positions kept in the database (the current one included); older months may
    #: be detached once exported (`chekara archive detach --due`). 0: keep everything.
    positions_retention_months: int = Field(default=0, ge=0, le=1200)

    #: The risk ruleset (TOML); unset: backend/chekara/data/risk_rules.toml.
    risk_rules_file: Path | None = None

    geodata_dir: Path = PROJECT_ROOT / "geodata"
    frontend_dir: Path = PROJECT_ROOT / "frontend"

    # Checkpoint operations (weighing, customs payments).
    #: Import duty rates by HS prefix (CSV: hs_prefix,duty_pct,description).
    tariff_file: Path = Path(__file__).parent / "data" / "tariff.csv"
    #: Permitted load per axle by axle class (CSV: axle_class,limit_kg,description).
    axle_limits_file: Path = Path(__file__).parent / "data" / "axle_limits.csv"
    #: Gross mass limit of a road vehicle, kg (DESIGN.md: 44 t).
    gross_limit_kg: int = Field(default=44_000, gt=0)
    #: Measured gross differing from the declared by more than this is a finding, percent.
    weight_discrepancy_pct: Decimal = Field(default=Decimal("5"), gt=0, le=100)

    # Exchange with the neighbouring customs (docs/EXCHANGE.md).
    #: How often the server's delivery thread posts due events to partners' webhooks, seconds (0: never).
    exchange_delivery_interval_s: float = Field(default=2.0, ge=0)
    #: The wait after the first failed delivery of an event, seconds; it doubles with every failure ...
    exchange_backoff_base_s: float = Field(default=5.0, gt=0)
    #: ... up to this, seconds.
    exchange_backoff_cap_s: float = Field(default=900.0, gt=0)
    #: After this many failed attempts an event goes to the dead-letter list (and unblocks the ones behind it).
    exchange_max_attempts: int = Field(default=12, ge=1)
    #: One delivery attempt's HTTP timeout, seconds.
    exchange_timeout_s: float = Field(default=10.0, gt=0)
    #: Events delivered to one webhook in one pass at most (then the next webhook has its turn).
    exchange_batch_size: int = Field(default=100, ge=1)
    #: Our gross differing from the partner's announced gross by more than this is a finding, percent.
    exchange_weight_tolerance_pct: Decimal = Field(default=Decimal("5"), gt=0, le=100)
    #: An announced vehicle not seen entering this long after its expected time raises announced_not_arrived, minutes.
    exchange_arrival_window_min: float = Field(default=180.0, gt=0)

    @model_validator(mode="after")
    def _exchange_backoff_cap_not_below_base(self) -> "Settings":
        if self.exchange_backoff_cap_s < self.exchange_backoff_base_s:
            raise ValueError("CHEKARA_EXCHANGE_BACKOFF_CAP_S must not be below CHEKARA_EXCHANGE_BACKOFF_BASE_S")
        return self

    @model_validator(mode="after")
    def _refuse_default_secret_outside_development(self) -> "Settings":
        if self.env != "development" and self.secret_key == DEFAULT_SECRET_KEY:
            raise InsecureSettingsError(
                "CHEKARA_SECRET_KEY is the default development secret; "
                f"set a long random value before running with CHEKARA_ENV={self.env}"
            )
        if self.env == "production" and len(self.secret_key) < 32:
            raise InsecureSettingsError("CHEKARA_SECRET_KEY must be at least 32 characters in production")
        return self

    def detection_thresholds(self):
        """The thresholds in force; refuses unknown names or bad values at start."""
        from chekara.domain.detection import DetectionThresholds

        try:
            return DetectionThresholds(**self.detection)
        except TypeError as exc:
            raise ValueError(f"CHEKARA_DETECTION: {exc}") from exc

    def alert_severities(self) -> dict[str, str]:
        """Severity by alert type; refuses an unknown severity at start."""
        from chekara.domain.alert_severity import severity_table

        return severity_table(self.alert_severity)

    @property
    def uses_embedded_database(self) -> bool:
        return not self.database_url

    @property
    def archive_path(self) -> Path:
        return (self.archive_dir or self.var_dir / "archive").resolve()

    @property
    def pg_dir(self) -> Path:
        # Resolved: var/pg may be a link to a place the postgres user can reach.
        return (self.var_dir / "pg").resolve()

    @property
    def pg_data_dir(self) -> Path:
        return self.pg_dir / "data"

    @property
    def pg_socket_dir(self) -> Path:
        return self.pg_dir / "run"

    @property
    def pg_log_file(self) -> Path:
        return self.pg_dir / "postgres.log"

    def sqlalchemy_url(self, database: str | None = None) -> str:
        """The URL the app connects with (psycopg 3 driver)."""
        if self.database_url:
            url = self.database_url
            for prefix in ("postgresql://", "postgres://"):
                if url.startswith(prefix):
                    url = "postgresql+psycopg://" + url[len(prefix):]
            if database:
                from sqlalchemy.engine import make_url

                url = make_url(url).set(database=database).render_as_string(hide_password=False)
            return url
        name = database or self.pg_database
        return f"postgresql+psycopg://postgres@/{name}?host={self.pg_socket_dir}&port={self.pg_port}"


@lru_cache
def get_settings() -> Settings:
    return Settings()
