"""Sockets for the live feed: TAK networks in and out, off the GUI thread.

`runner.FeedRunner` listens on UDP (unicast or the multicast mesh) and keeps TAK server
connections (TCP or TLS, reconnecting with backoff) in one asyncio loop on its own thread;
the core (`desktop.core.feed`) decodes and checks each payload there, and the application
takes the accepted reports as batches (`drain`). `send` publishes events once (the
`publish` command). pytak opens the sockets, sets up TLS and supervises reconnection;
no Qt here either.
"""
