"""`EmulatorSettings`: every setting of the emulator, written once.

Each field is one setting: its name, default, converter, validator and a
one-line doc, and (in `metadata`) how the command line spells it. Every
surface reads the fields from here: `DingTalkEmulator(**settings)`, the
admin API (`GET`/`PATCH /_emulator/settings`), `RemoteEmulator.configure`,
the `dingtalk-im emulator` options, the `dingtalk_emulator` pytest marker and
the table in docs/testing.md (a test compares it with `settings_table()`).

Adding a setting is adding one field here with `setting(...)`; the parts that
act on it then read `emulator.settings.<name>`. The module is longer than 400 lines
because it is that one list: each setting with its doc and command-line form.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

import attrs
from attrs import define, field

from . import _setting_forms as forms
from ._setting_forms import ANY_API
from .faults import Fault, Latency

__all__ = [
    "ANY_API",
    "DEFAULT_APP_KEY",
    "DEFAULT_APP_SECRET",
    "GROUP_SCOPES",
    "HIDDEN_SECRET",
    "CliForm",
    "EmulatorSettings",
    "SettingInfo",
    "setting_info",
    "settings_table",
]

#: The emulator's own made-up credentials, accepted unless others are given.
DEFAULT_APP_KEY = "dingemulatorappkey"
DEFAULT_APP_SECRET = "emulator-app-secret"
#: What the admin API, the dashboard and the banner show instead of an app secret that was given.
HIDDEN_SECRET = "<hidden>"
#: The scopes `has_group_permission=False` takes away: managing and reading groups.
GROUP_SCOPES = frozenset({"qyapi_chat_manage", "qyapi_chat_read"})


@define(frozen=True, kw_only=True)
class CliForm:
    """How `dingtalk-im emulator` spells a setting (the `cli` extra makes it a click option)."""

    flag: str
    """The option, e.g. `--qps-limit` (a boolean's flag sets the opposite of its default:
    `--whitelisted`, `--no-group-permission`)."""
    metavar: str | None = None
    """The value's placeholder in `--help`."""
    multiple: bool = False
    """The option repeats, and `parse` gets the tuple of values."""
    parse: Callable[[Any], Any] | None = None
    """The text (or tuple of texts) to the setting's value; a ValueError is a usage error naming the
    option."""


@define(frozen=True, kw_only=True)
class SettingInfo:
    """How a setting is documented and offered: its doc, if it is live, its command-line form."""

    doc: str
    """One line, for the docs table and `--help`."""
    live: bool = True
    """Whether it can change while the emulator runs (`configure`)."""
    cli: CliForm | None = None
    """Its command-line form; None: not offered there."""
    shown_default: str | None = None
    """What the docs table shows as the default, when the value itself would mislead."""


def setting(
    default: Any,
    doc: str,
    *,
    converter: Callable[[Any], Any] | None = None,
    validator: Callable[[Any, attrs.Attribute[Any], Any], None] | None = None,
    live: bool = True,
    cli: CliForm | None = None,
    shown_default: str | None = None,
    secret: bool = False,
) -> Any:
    """One setting's field: its default, conversion, check and `SettingInfo`; a `secret` one
    stays out of the settings' repr."""
    info = SettingInfo(doc=doc, live=live, cli=cli, shown_default=shown_default)
    return field(
        default=default,
        converter=converter,
        validator=validator,
        repr=not secret,
        # `description`: the reference's row for the field (griffe-fieldz reads it)
        metadata={"setting": info, "description": doc},
    )


def setting_info(name: str) -> SettingInfo:
    """The `SettingInfo` of the setting `name`; KeyError for a name that is not one."""
    for attribute in attrs.fields(EmulatorSettings):
        if attribute.name == name:
            info: SettingInfo = attribute.metadata["setting"]
            return info
    raise KeyError(name)


@define(frozen=True, kw_only=True, eq=True, hash=False)
class EmulatorSettings:
    """How the emulator behaves; `DingTalkEmulator(**fields)` and `configure(**fields)` take these.

    Frozen: a running emulator changes settings with `configure(...)` (in process
    and remotely alike), which checks the new values before anything changes.
    Settings marked not live (`app_key`, `app_secret`, `robot_code`) are fixed when
    the emulator is built. The table of every field is in docs/testing.md.
    """

    # -- the app ------------------------------------------------------------------
    app_key: str = setting(
        DEFAULT_APP_KEY,
        "the app key the token endpoint accepts; others get `invalidClientIdOrSecret`",
        converter=forms.text_of("app_key"),
        live=False,
        cli=CliForm(flag="--app-key"),
    )
    app_secret: str = setting(
        DEFAULT_APP_SECRET,
        "the app secret it accepts (the emulator's own made-up one by default)",
        converter=forms.text_of("app_secret"),
        live=False,
        cli=CliForm(flag="--app-secret"),
    )
    robot_code: str | None = setting(
        None,
        "the app's robot, the only one its token may post as (None: the app key, as for an "
        "internal app's own robot)",
        converter=forms.optional_text,
        live=False,
        cli=CliForm(flag="--robot", metavar="ROBOT_CODE"),
        shown_default="the app key",
    )
    token_lifetime: float = setting(
        7200.0,
        "`expireIn` of the tokens issued from now on, in seconds",
        converter=forms.positive_seconds,
        cli=CliForm(flag="--token-lifetime", metavar="SECONDS", parse=forms.cli_seconds),
    )
    # -- third-party apps (multi-organisation mode) ------------------------------------
    suites: Mapping[str, str] = setting(
        MappingProxyType({}),
        "third-party (ISV) apps by suite key: their suite secrets. Each gets a suite ticket, "
        "corp tokens for the `corp_ids` organisations and a Stream connection of its own. The "
        "secrets are never shown: the admin API and the dashboard say `<hidden>`",
        converter=forms.suite_secrets,
        cli=CliForm(flag="--suite", metavar="KEY=SECRET", multiple=True, parse=forms.cli_suites),
        shown_default="`{}`",
        secret=True,
    )
    corp_ids: tuple[str, ...] = setting(
        (),
        "the organisations that installed the suites (their corp tokens see only their own "
        "groups); others get `invalidAuthInfo`",
        converter=forms.corp_id_list,
        cli=CliForm(flag="--corp-id", metavar="CORP_ID", multiple=True, parse=tuple),
        shown_default="none",
    )
    suite_ticket_interval: float | None = setting(
        None,
        "seconds between suite-ticket rotations, each pushed as a `suite_ticket` event "
        "(DingTalk: about 5 hours; None: only on `rotate_suite_ticket`)",
        converter=forms.optional_seconds("suite_ticket_interval"),
        cli=CliForm(
            flag="--suite-ticket-interval", metavar="SECONDS", parse=forms.cli_optional_seconds
        ),
    )
    suite_qps_limit: int | None = setting(
        None,
        "calls per second a corp token's (suite, organisation) pair makes to each API beyond "
        "which calls get 403 `QpsLimitForSuitekeyAndOrgAndApi` (None: no limit)",
        converter=forms.optional_count("suite_qps_limit"),
        cli=CliForm(flag="--suite-qps-limit", metavar="N", parse=forms.cli_optional_int),
    )
    # -- who may do what -------------------------------------------------------------
    visible_users: frozenset[str] | None = setting(
        None,
        "the users the app may make owner or add (None: everyone); others get "
        "`permession.checkFailed`",
        converter=forms.user_set,
        cli=CliForm(flag="--visible-user", metavar="USERID", multiple=True, parse=forms.cli_users),
        shown_default="`None` (everyone)",
    )
    whitelisted: bool = setting(
        False,
        "the app may create normal groups (`conversationTag` 0)",
        converter=forms.boolean("whitelisted"),
        cli=CliForm(flag="--whitelisted"),
    )
    scene_group_templates: frozenset[str] | None = setting(
        None,
        "the group templates scene-group create accepts (None: any); others get "
        "`groupTemplate.notFound`",
        converter=forms.user_set,
        cli=CliForm(
            flag="--scene-group-template",
            metavar="TEMPLATE_ID",
            multiple=True,
            parse=forms.cli_users,
        ),
        shown_default="`None` (any)",
    )
    has_group_permission: bool = setting(
        True,
        "the app holds the group scopes (`qyapi_chat_manage`, `qyapi_chat_read`); without "
        "them their APIs answer 403 `AccessTokenPermissionDenied`",
        converter=forms.boolean("has_group_permission"),
        cli=CliForm(flag="--no-group-permission"),
    )
    denied_scopes: frozenset[str] = setting(
        frozenset(),
        "more scopes the app does not hold (any scope a route names, e.g. `qyapi_robot_sendmsg`)",
        converter=forms.name_set,
        cli=CliForm(flag="--denied-scope", metavar="SCOPE", multiple=True, parse=forms.cli_names),
        shown_default="none",
    )
    # -- who may steer it (the admin API and the dashboard) -------------------------
    allowed_hosts: frozenset[str] = setting(
        frozenset(),
        "more names the admin API and dashboard answer to (`Host` header), e.g. a container's "
        "or a LAN name: `HOST` (any port) or `HOST:PORT`, `*` for any. Without them only the "
        "bound address (and the loopback names when bound to loopback) is served: a page "
        "using DNS rebinding gets 403",
        converter=forms.host_set,
        cli=CliForm(
            flag="--allowed-host", metavar="HOST[:PORT]", multiple=True, parse=forms.cli_names
        ),
        shown_default="none",
    )
    # -- DingTalk's limits ---------------------------------------------------------
    qps_limit: int | None = setting(
        None,
        "calls per second to each API (each counts apart, as DingTalk limits an app per API) "
        "beyond which calls get 403 `QpsLimitForAppkeyAndApi` (None: no limit)",
        converter=forms.optional_count("qps_limit"),
        cli=CliForm(flag="--qps-limit", metavar="N", parse=forms.cli_optional_int),
    )
    qps_limits: Mapping[str, int | None] = setting(
        MappingProxyType({}),
        'per-API limits over `qps_limit`, e.g. `{"im.group.create": 20}` (None: no limit '
        "for that API)",
        converter=forms.api_limits,
        cli=CliForm(
            flag="--api-qps-limit", metavar="API=N", multiple=True, parse=forms.cli_api_limits
        ),
        shown_default="`{}`",
    )
    monthly_call_quota: int | None = setting(
        None,
        "calls each organisation may make in a month of the emulator's clock (DingTalk counts "
        "its quota per organisation, tokens excepted); once spent, calls get 403 "
        "`ApiCountLimitForOrg` (oapi: errcode 90020). `quota_used` counts the app's own "
        "organisation's, per API in the counters; `get_tenants()` every organisation's",
        converter=forms.optional_count("monthly_call_quota"),
        cli=CliForm(flag="--monthly-call-quota", metavar="N", parse=forms.cli_count),
    )
    group_message_limit: int | None = setting(
        None,
        "robot messages a group takes per rolling minute; beyond it a send gets HTTP 400 "
        "`send.too.fast` (None: no limit)",
        converter=forms.optional_count("group_message_limit"),
        cli=CliForm(flag="--group-message-limit", metavar="N", parse=forms.cli_optional_int),
    )
    card_stream_content_limit: int | None = setting(
        4096,
        "bytes of `content` one AI-card streaming frame may carry; beyond it 400 "
        '`param.stream.content` ("content is too large"). The default is a guess: '
        "DingTalk advises at most 1 KB per frame and 3 KB in all, and documents no hard "
        "limit (None: no limit)",
        converter=forms.optional_positive("card_stream_content_limit"),
        cli=CliForm(
            flag="--card-stream-content-limit", metavar="BYTES", parse=forms.cli_optional_int
        ),
    )
    # -- robots --------------------------------------------------------------------
    robot_in_new_groups: bool = setting(
        True,
        "created groups get the app's robot; off, sends answer "
        "`invalidParameter.robotCode.empty` until the robot is installed",
        converter=forms.boolean("robot_in_new_groups"),
        cli=CliForm(flag="--no-robot-in-new-groups"),
    )
    stopped_robots: frozenset[str] = setting(
        frozenset(),
        "robot codes that answer `bot.stopped`",
        converter=forms.name_set,
        cli=CliForm(
            flag="--stopped-robot", metavar="ROBOT_CODE", multiple=True, parse=forms.cli_names
        ),
        shown_default="none",
    )
    # -- standing faults (scheduled ones are commands: `fail_next`, `schedule`, ...) --
    fault_rates: Mapping[str, Mapping[Fault, float]] = setting(
        MappingProxyType({}),
        "per API, the probability of each fault per call, e.g. "
        '`{"im.group.create": {Fault.SYSTEM_ERROR: 0.1}}`; the key `"*"` is every API '
        "without its own entry. Applied at start and after every reset. Faults by their "
        f"command-line names: {forms.fault_names()}",
        converter=forms.fault_rates,
        cli=CliForm(
            flag="--fault",
            metavar="[API:]NAME=RATE",
            multiple=True,
            parse=forms.cli_fault_rates,
        ),
        shown_default="`{}`",
    )
    fault_periods: Mapping[str, Mapping[Fault, int]] = setting(
        MappingProxyType({}),
        'per API, a fault on every N-th call, e.g. `{"*": {Fault.TOKEN_REVOKED: 1000}}` '
        '(`"*"`: every API without its own entry)',
        converter=forms.fault_periods,
        cli=CliForm(
            flag="--fault-every",
            metavar="[API:]NAME=N",
            multiple=True,
            parse=forms.cli_fault_periods,
        ),
        shown_default="`{}`",
    )
    fault_seed: int | None = setting(
        None,
        "seed of the fault draws (and SLOW delays): the same seed, the same faults on the "
        "same calls",
        converter=forms.optional_seed,
        cli=CliForm(flag="--seed", metavar="N", parse=int),
    )
    slow_latency: Latency = setting(  # noqa: RUF009 (an attrs field; Latency is frozen)
        Latency(low=0.1, high=0.5),
        "how long SLOW calls drawn by rate or period wait: seconds, or a `(low, high)` range",
        converter=Latency.of,
        cli=CliForm(flag="--latency", metavar="SECONDS[:MAX]", parse=forms.cli_latency),
        shown_default="`(0.1, 0.5)`",
    )
    # -- what it records -------------------------------------------------------------
    record_requests: bool = setting(
        True,
        "keep the request journal (counters and the group store are always kept)",
        converter=forms.boolean("record_requests"),
        cli=CliForm(flag="--no-record-requests"),
    )
    journal_limit: int | None = setting(
        10_000,
        "journal lines kept; older ones are dropped (their indexes stay counted). None: all",
        converter=forms.optional_positive("journal_limit"),
        cli=CliForm(flag="--journal-limit", metavar="N", parse=forms.cli_optional_int),
    )
    record_groups: bool = setting(
        True,
        "keep `groups`, the `CreatedGroup` list with each create's body (in process only: "
        "`dingtalk-im emulator` switches it off)",
        converter=forms.boolean("record_groups"),
    )

    def __attrs_post_init__(self) -> None:
        if self.slow_latency.low < 0:
            raise ValueError("slow_latency must not be negative")

    @property
    def robot(self) -> str:
        """The app's robot code: `robot_code`, else the app key."""
        return self.app_key if self.robot_code is None else self.robot_code

    @property
    def shown_app_secret(self) -> str:
        """The app secret as the emulator may show it: its own made-up one, never one given
        (it may be real)."""
        return self.app_secret if self.app_secret == DEFAULT_APP_SECRET else HIDDEN_SECRET

    @property
    def shown_suites(self) -> dict[str, str]:
        """The suites as the emulator may show them: their keys, never their secrets."""
        return dict.fromkeys(self.suites, HIDDEN_SECRET)

    def qps_limit_for(self, api: str) -> int | None:
        """The limit applied to `api`: its `qps_limits` entry, else `qps_limit`."""
        return self.qps_limits.get(api, self.qps_limit)

    def fault_rates_for(self, api: str) -> Mapping[Fault, float]:
        """The standing fault rates of `api`: its own entry, else the `"*"` entry."""
        return self.fault_rates.get(api, self.fault_rates.get(ANY_API, {}))

    def fault_periods_for(self, api: str) -> Mapping[Fault, int]:
        """The standing periodic faults of `api`: its own entry, else the `"*"` entry."""
        return self.fault_periods.get(api, self.fault_periods.get(ANY_API, {}))

    def denies(self, scope: str) -> bool:
        """Whether the app lacks `scope` (`denied_scopes`, and the group scopes when
        `has_group_permission` is off)."""
        return scope in self.denied_scopes or (
            not self.has_group_permission and scope in GROUP_SCOPES
        )

    def apis_named(self) -> set[str]:
        """Every API name the per-API settings mention (`"*"` left out)."""
        named = set(self.qps_limits) | set(self.fault_rates) | set(self.fault_periods)
        return named - {ANY_API}

    def changed(self, **changes: Any) -> EmulatorSettings:
        """These settings with `changes`; an unknown name is a TypeError listing the known."""
        unknown = sorted(set(changes) - set(setting_names()))
        if unknown:
            raise TypeError(
                f"unknown emulator settings {unknown}; settings: {', '.join(setting_names())}"
            )
        return attrs.evolve(self, **changes)


def setting_names() -> tuple[str, ...]:
    """Every setting's name, in the class's order."""
    return tuple(attribute.name for attribute in attrs.fields(EmulatorSettings))


def _shown(attribute: attrs.Attribute[Any], info: SettingInfo) -> str:
    """The default as the docs table shows it: prose as it is, a value as code."""
    if info.shown_default is not None:
        return info.shown_default
    default = attribute.default
    if isinstance(default, str):
        return f'`"{default}"`'
    return f"`{default:g}`" if isinstance(default, float) else f"`{default!r}`"


def settings_table() -> str:
    """The Markdown table of every setting, as docs/testing.md shows it."""
    lines = [
        "| setting | default | command line | effect |",
        "|---|---|---|---|",
    ]
    for attribute in attrs.fields(EmulatorSettings):
        info: SettingInfo = attribute.metadata["setting"]
        cli = "" if info.cli is None else f"`{info.cli.flag}`"
        if info.cli is not None and info.cli.metavar:
            cli = f"`{info.cli.flag} {info.cli.metavar}`"
        effect = info.doc + ("" if info.live else "; fixed at start")
        lines.append(f"| `{attribute.name}` | {_shown(attribute, info)} | {cli} | {effect} |")
    return "\n".join(lines) + "\n"
