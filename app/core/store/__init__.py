"""The MongoDB store: the client and documents bound to it, the embedded nx-27017 server and its supervision,
outages, command metrics."""
