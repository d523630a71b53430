"""A TCP proxy on 127.0.0.1 that can stop forwarding: a database that does not answer.

Connections stay open but nothing comes back (a black hole), as when a database
host hangs or a network path drops packets. `resume()` lets bytes flow again.
Used by tests/test_crisis_stall.py and benchmarks/crisis.py.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading

from tests.server import free_port


class StallingProxy:
    def __init__(self, target_port: int, target_host: str = "127.0.0.1") -> None:
        self.target = (target_host, target_port)
        self.port = free_port()
        self._loop = asyncio.new_event_loop()
        self._flowing: asyncio.Event | None = None
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, name="stalling-proxy", daemon=True)

    def start(self) -> StallingProxy:
        self._thread.start()
        if not self._ready.wait(5):
            raise RuntimeError("the stalling proxy did not start")
        return self

    def stall(self) -> None:
        assert self._flowing is not None
        self._loop.call_soon_threadsafe(self._flowing.clear)

    def resume(self) -> None:
        assert self._flowing is not None
        self._loop.call_soon_threadsafe(self._flowing.set)

    def stop(self) -> None:
        async def shutdown() -> None:
            pending = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
            self._loop.stop()

        asyncio.run_coroutine_threadsafe(shutdown(), self._loop)
        self._thread.join(5)

    def __enter__(self) -> StallingProxy:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.resume()
        self.stop()

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._flowing = asyncio.Event()
        self._flowing.set()
        server = self._loop.run_until_complete(
            asyncio.start_server(self._client, "127.0.0.1", self.port)
        )
        self._ready.set()
        try:
            self._loop.run_forever()
        finally:
            server.close()

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        assert self._flowing is not None
        try:
            await self._flowing.wait()  # a stalled database accepts nothing new either
            up_reader, up_writer = await asyncio.open_connection(*self.target)
            await asyncio.gather(self._pipe(reader, up_writer), self._pipe(up_reader, writer))
        except (OSError, asyncio.CancelledError):
            # stop() cancels every connection. Ending quietly keeps asyncio's stream
            # callback from printing a traceback for each one (it asks the task for
            # its exception, which re-raises the cancellation).
            writer.close()

    async def _pipe(self, source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
        assert self._flowing is not None
        try:
            while data := await source.read(65536):
                await self._flowing.wait()  # stalled: hold the bytes until resumed
                sink.write(data)
                await sink.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            with contextlib.suppress(Exception):
                sink.close()
