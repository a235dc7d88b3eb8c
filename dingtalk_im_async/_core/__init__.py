"""The shared machinery below the API families: the HTTP exchange, retries, the transport,
the converter, JSON, hosts, endpoints and services. It knows no family."""
