from django.core.files.storage import Storage


class BrokenStorage(Storage):
    """A storage whose backend cannot be reached (an unplugged file server)."""

    def exists(self, name: str) -> bool:
        raise ConnectionError("storage unreachable")
