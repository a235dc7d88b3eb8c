"""The emulator's own reading of DingTalk's robot message docs: kinds, sizes and list limits.

Written apart from the client's models on purpose (like `groups/create_rules.py`),
so the client's checks are tested against an independent reading of the same
docs; tests/emulator/test_emulator_rules.py compares the two where they must agree.
"""

from __future__ import annotations

__all__ = [
    "DOCUMENTED_MSG_KEYS",
    "MAX_READ_STATUS_PAGE",
    "MAX_RECALL_KEYS",
    "MSG_PARAM_MAX_BYTES",
]

#: `msgParam` is a JSON string of at most 15,000 bytes; longer ones get
#: `invalidParameter.msgParam.tooLong`
#: (https://open.dingtalk.com/document/development/the-robot-sends-a-group-message).
MSG_PARAM_MAX_BYTES = 15_000

#: The `msgKey`s DingTalk lists for robot messages
#: (https://open.dingtalk.com/document/development/robot-message-type).
DOCUMENTED_MSG_KEYS = frozenset(
    {
        "sampleText",
        "sampleMarkdown",
        "sampleImageMsg",
        "sampleLink",
        "sampleActionCard",
        "sampleActionCard2",
        "sampleActionCard3",
        "sampleActionCard4",
        "sampleActionCard5",
        "sampleActionCard6",
        "sampleAudio",
        "sampleVideo",
        "sampleFile",
    }
)

#: `maxResults` of a read-status page, at most; more is `invalidParameter.pageSize.invalid`
#: (https://open.dingtalk.com/document/development/chatbot-queries-the-read-status-of-a-message).
MAX_READ_STATUS_PAGE = 200

#: `processQueryKeys` of one recall, at most: the group recall's page names no limit, the
#: one-to-one batch recall's says 20 per call, which this emulator applies here too (GUESS),
#: with `invalidParameter.processQueryKeys.overMax`. The pages:
#: https://open.dingtalk.com/document/development/enterprise-chatbot-withdraws-internal-group-messages
#: https://open.dingtalk.com/document/development/batch-message-recall-chat
MAX_RECALL_KEYS = 20
