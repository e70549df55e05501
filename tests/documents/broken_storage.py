from django.core.files.storage import FileSystemStorage


class UnreachableStorage(FileSystemStorage):
    """A file server that is unplugged: every call fails to connect."""

    def exists(self, name: str) -> bool:
        raise ConnectionError("storage unreachable")

    def _save(self, name, content):
        raise ConnectionError("storage unreachable")
