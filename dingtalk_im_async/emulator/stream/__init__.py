"""DingTalk's Stream mode, emulated: the gateway (tickets, WebSocket, redelivery, webhooks) and
its controls."""
