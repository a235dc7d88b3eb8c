"""The DingTalk emulator: a stand-in for DingTalk's APIs with an admin API, a dashboard,
faults and a Stream gateway, in process (`DingTalkEmulator`) or as `dingtalk-im emulator`
(driven from another process by `RemoteEmulator`, with the same controls)."""

from ._admin_kit import ADMIN_PREFIX, NotFoundError
from .cards.controls import CardControls
from .cards.store import CardAction, CardDelivery, CardStore, StoredCard
from .controls import Done, EmulatorControls
from .emulated import EmulatedDingTalk
from .emulator import DingTalkEmulator
from .faults import CannedReply, ErrcodeReply, ErrorReply, Fault, FaultInjector, Latency
from .groups.controls import GroupControls
from .oauth.controls import TenantControls
from .oauth.records import OrgReport, SuiteReport, TenantsReport, Ticket
from .oauth.tenants import Tenant
from .records import ApiCounters, Counters, CreatedGroup, LoggedRequest
from .remote import RemoteEmulator
from .robot.controls import RobotControls
from .routes import Call, Route
from .scenegroups.controls import SceneGroupControls
from .scenegroups.store import SceneGroup, SceneGroupStore
from .settings import (
    ANY_API,
    DEFAULT_APP_KEY,
    DEFAULT_APP_SECRET,
    CliForm,
    EmulatorSettings,
    SettingInfo,
)
from .state import load_state, save_state
from .store import GroupStore, PostedMessage, StoredGroup
from .stream.controls import ADMIN_EVENTS_PATH, ADMIN_MESSAGES_PATH, StreamControls
from .stream.gateway import StreamGateway
from .stream.settings import GatewaySettings, GatewayStats, StreamAck, StreamFaults
from .stream.webhooks import WebhookPost
from .traffic import ApiTraffic

__all__ = [
    "ADMIN_EVENTS_PATH",
    "ADMIN_MESSAGES_PATH",
    "ADMIN_PREFIX",
    "ANY_API",
    "DEFAULT_APP_KEY",
    "DEFAULT_APP_SECRET",
    "ApiCounters",
    "ApiTraffic",
    "Call",
    "CannedReply",
    "CardAction",
    "CardControls",
    "CardDelivery",
    "CardStore",
    "CliForm",
    "Counters",
    "CreatedGroup",
    "DingTalkEmulator",
    "Done",
    "EmulatedDingTalk",
    "EmulatorControls",
    "EmulatorSettings",
    "ErrcodeReply",
    "ErrorReply",
    "Fault",
    "FaultInjector",
    "GatewaySettings",
    "GatewayStats",
    "GroupControls",
    "GroupStore",
    "Latency",
    "LoggedRequest",
    "NotFoundError",
    "OrgReport",
    "PostedMessage",
    "RemoteEmulator",
    "RobotControls",
    "Route",
    "SceneGroup",
    "SceneGroupControls",
    "SceneGroupStore",
    "SettingInfo",
    "StoredCard",
    "StoredGroup",
    "StreamAck",
    "StreamControls",
    "StreamFaults",
    "StreamGateway",
    "SuiteReport",
    "Tenant",
    "TenantControls",
    "TenantsReport",
    "Ticket",
    "WebhookPost",
    "load_state",
    "save_state",
]
