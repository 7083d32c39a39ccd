"""Structured output through `instructor`: text in, a validated pydantic model out.

For the `openai` provider (any Chat Completions server that supports tools). The model is asked
to call one function whose schema is the response model; when its arguments fail validation,
instructor sends the validation errors back and asks again, at most `max_retries` times.
`openai` and `instructor` are imported only when an extractor is built, so the core and the
streaming adapters never need them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import BaseModel

from vizochok.adapters.llm._http import ensure_allowed, secret
from vizochok.adapters.llm.openai import DEFAULT_BASE_URL, max_tokens_field
from vizochok.core.llm.messages import LLMError, LLMRateLimited, LLMTimeout

if TYPE_CHECKING:
    from pydantic import SecretStr

T = TypeVar("T", bound=BaseModel)


def _translate(error: BaseException) -> LLMError:
    """Map an SDK failure to the core's error; instructor wraps provider errors, so walk the causes."""
    import openai  # noqa: PLC0415 - optional SDK, imported with the extractor

    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, openai.RateLimitError):
            header = seen.response.headers.get("retry-after")
            return LLMRateLimited(f"openai rate limited: {seen.message}", retry_after=_seconds(header))
        if isinstance(seen, openai.APITimeoutError):
            return LLMTimeout("openai did not answer in time")
        if isinstance(seen, openai.APIStatusError):
            return LLMError(f"openai answered HTTP {seen.status_code}: {seen.message}"[:400])
        seen = seen.__cause__ or seen.__context__
    return LLMError(f"structured output failed: {type(error).__name__}: {str(error)[:300]}")


def _seconds(value: str | None) -> float | None:
    try:
        return None if value is None else float(value)
    except ValueError:
        return None


class InstructorOpenAIExtractor:
    """Extracts pydantic models from text with a Chat Completions model."""

    def __init__(
        self, base_url: str | None = None, api_key: SecretStr | str | None = None, timeout: float = 60.0
    ) -> None:
        import instructor  # noqa: PLC0415 - optional SDKs, see the module docstring
        import openai  # noqa: PLC0415

        # The SDK's own retries are off: rate limits are the caller's policy, as for streaming.
        self._client = openai.AsyncOpenAI(
            base_url=base_url or DEFAULT_BASE_URL,
            # Local servers take no key, but the SDK insists on one; it goes nowhere useful.
            api_key=secret(api_key) or "unused",
            timeout=timeout,
            max_retries=0,
        )
        self._instructor = instructor.from_openai(self._client, mode=instructor.Mode.TOOLS)
        self._max_field = max_tokens_field(str(self._client.base_url))

    def __repr__(self) -> str:
        return f"InstructorOpenAIExtractor({str(self._client.base_url)!r})"  # never the key

    async def extract(
        self,
        response_model: type[T],
        text: str,
        model: str,
        instructions: str = "",
        max_retries: int = 2,
        max_tokens: int = 1024,
    ) -> T:
        """`response_model` filled from `text`; `LLMError` when the model cannot produce a valid one.

        Args:
            response_model: The pydantic model to fill.
            text: What the shopper wrote.
            model: The provider's model name (a fast model is usually enough).
            instructions: A system prompt; a generic one when empty.
            max_retries: Re-asks after a response that fails validation (0 = a single try).
            max_tokens: The answer limit of each call, as for every other request.

        """
        ensure_allowed()
        system = instructions or f"Extract a {response_model.__name__} from the user's message."
        messages: list[Any] = [{"role": "system", "content": system}, {"role": "user", "content": text}]
        try:
            result = await self._instructor.chat.completions.create(
                model=model,
                response_model=response_model,
                messages=messages,
                max_retries=max_retries,
                **{self._max_field: max_tokens},
            )
        except Exception as error:  # noqa: BLE001 - every SDK failure becomes the core's error
            raise _translate(error) from None
        # instructor hands back a subclass carrying the raw response; callers get the plain core model.
        return response_model.model_validate(result.model_dump())

    async def aclose(self) -> None:
        """Close the SDK's connection pool."""
        await self._client.close()
