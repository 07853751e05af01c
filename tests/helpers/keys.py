"""The keyset every test server and client uses."""

SUBSCRIBE_KEY = "sub-c-test"
PUBLISH_KEY = "pub-c-test"
