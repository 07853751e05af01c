"""The console's side of PubNub: the only client-side package that imports `pubnub`.

`suppgram_tui.link.events` and `suppgram_tui.link.settings` import no SDK code, so the
inbox can name link events without loading `pubnub`; `suppgram_tui.link.client` does.
"""
