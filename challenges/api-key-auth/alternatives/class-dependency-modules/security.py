"""A reusable, configurable API-key checker (a callable class used as a dependency)."""

import os
import secrets

from fastapi import HTTPException, Request, status


class ApiKeyChecker:
    def __init__(self, header: str = "X-API-Key", env_var: str = "API_KEY") -> None:
        self.header = header
        self.env_var = env_var

    def expected(self) -> str:
        return os.environ[self.env_var]

    async def __call__(self, request: Request) -> str:
        supplied = request.headers.get(self.header, "")
        if supplied == "":
            raise HTTPException(
                status.HTTP_401_UNAUTHORIZED,
                detail="Missing API key",
                headers={"WWW-Authenticate": "APIKey"},
            )
        if not secrets.compare_digest(supplied.encode("utf-8"), self.expected().encode("utf-8")):
            raise HTTPException(status.HTTP_403_FORBIDDEN, detail="Invalid API key")
        return supplied


require_key = ApiKeyChecker()
