"""Every signature scheme against the same matrix of requests, plus fuzzing of headers.

Valid requests are signed by independent reference code (the `standardwebhooks` package,
HubSpot's official SDK, plain hmac for Meta and Shopify: see senders.py).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gateway import errors, signatures
from gateway.settings import decode_webform_secret
from tests.gateway import senders as s

NOW = datetime.now(UTC).replace(microsecond=0)
TOL = timedelta(minutes=5)
URI = "https://hooks.example.com/webhooks/hubspot?portal=62515"
BODY = s.dumps([s.hubspot_event()])


@dataclass
class Scheme:
    """One scheme: how to sign a request and how the gateway verifies it."""

    name: str
    sign: Callable[..., dict[str, str]]  # (body, secret=..., at=...) -> headers
    verify: Callable[[tuple[str, ...], bytes, dict[str, str]], None]
    old: str
    new: str
    signature_header: str
    timestamp_header: str | None
    malformed: str
    dated: bool = True


def _hubspot_verify(secrets, body, headers):
    signatures.verify_hubspot_v3(
        tuple(x.encode() for x in secrets), method="POST", uri=URI, body=body,
        signature=headers.get("X-HubSpot-Signature-v3"),
        timestamp=headers.get("X-HubSpot-Request-Timestamp"), now=NOW, tolerance=TOL,
    )


def _meta_verify(secrets, body, headers):
    signatures.verify_meta(tuple(x.encode() for x in secrets), body=body,
                           signature=headers.get("X-Hub-Signature-256"))


def _shopify_verify(secrets, body, headers):
    signatures.verify_shopify(
        tuple(x.encode() for x in secrets), body=body,
        signature=headers.get("X-Shopify-Hmac-Sha256"),
        triggered_at=headers.get("X-Shopify-Triggered-At"), now=NOW,
        max_age=timedelta(hours=6), tolerance=TOL,
    )


def _webform_verify(secrets, body, headers):
    signatures.verify_standard_webhook(
        tuple(decode_webform_secret(x) for x in secrets), body=body,
        webhook_id=headers.get("webhook-id"), timestamp=headers.get("webhook-timestamp"),
        signature=headers.get("webhook-signature"), now=NOW, tolerance=TOL,
    )


SCHEMES = {
    "hubspot": Scheme(
        "hubspot",
        lambda body, secret=s.HUBSPOT_SECRET, at=NOW: s.sign_hubspot(
            body, URI, secret=secret, at=at),
        _hubspot_verify, s.HUBSPOT_SECRET, s.HUBSPOT_SECRET_NEW,
        "X-HubSpot-Signature-v3", "X-HubSpot-Request-Timestamp", "not base64 at all!",
    ),
    "meta": Scheme(
        "meta",
        lambda body, secret=s.META_SECRET, at=NOW: s.sign_meta(body, secret=secret),
        _meta_verify, s.META_SECRET, s.META_SECRET_NEW,
        "X-Hub-Signature-256", None, "sha1=abcdef", dated=False,
    ),
    "shopify": Scheme(
        "shopify",
        lambda body, secret=s.SHOPIFY_SECRET, at=NOW: s.sign_shopify(body, secret=secret, at=at),
        _shopify_verify, s.SHOPIFY_SECRET, s.SHOPIFY_SECRET_NEW,
        "X-Shopify-Hmac-Sha256", "X-Shopify-Triggered-At", "%%%",
    ),
    "webform": Scheme(
        "webform",
        lambda body, secret=s.WEBFORM_SECRET, at=NOW: s.sign_webform(body, secret=secret, at=at),
        _webform_verify, s.WEBFORM_SECRET, s.WEBFORM_SECRET_NEW,
        "webhook-signature", "webhook-timestamp", "v2,abc",
    ),
}


def _stale(scheme: Scheme) -> timedelta:
    # Shopify keeps Shopify's own 4-hour retries: its past window is max_age (6 h).
    return timedelta(hours=7) if scheme.name == "shopify" else timedelta(minutes=6)


def case_valid(sc):
    return sc.sign(BODY), (sc.old,), None


def case_tampered_body(sc):
    headers = sc.sign(BODY)
    return headers, (sc.old,), errors.SignatureMismatch, BODY.replace(b"5001", b"5002")


def case_wrong_secret(sc):
    wrong = s.WRONG_WEBFORM_SECRET if sc.name == "webform" else "some-other-secret"
    return sc.sign(BODY, secret=wrong), (sc.old,), errors.SignatureMismatch


def case_stale(sc):
    return sc.sign(BODY, at=NOW - _stale(sc)), (sc.old,), errors.StaleRequest


def case_future(sc):
    return sc.sign(BODY, at=NOW + timedelta(minutes=6)), (sc.old,), errors.FutureRequest


def case_within_tolerance(sc):
    return sc.sign(BODY, at=NOW - timedelta(minutes=4)), (sc.old,), None


def case_rotated_new_secret(sc):
    return sc.sign(BODY, secret=sc.new), (sc.old, sc.new), None


def case_rotated_old_secret(sc):
    return sc.sign(BODY, secret=sc.old), (sc.new, sc.old), None


def case_retired_secret(sc):
    return sc.sign(BODY, secret=sc.old), (sc.new,), errors.SignatureMismatch


def case_malformed_signature(sc):
    headers = sc.sign(BODY)
    headers[sc.signature_header] = sc.malformed
    return headers, (sc.old,), errors.MalformedHeader


def case_malformed_timestamp(sc):
    headers = sc.sign(BODY)
    if sc.timestamp_header is None:
        return headers, (sc.old,), None  # Meta signs no timestamp
    headers[sc.timestamp_header] = "yesterday"
    return headers, (sc.old,), errors.MalformedHeader


def case_missing_signature(sc):
    headers = sc.sign(BODY)
    del headers[sc.signature_header]
    return headers, (sc.old,), errors.MissingHeader


def case_missing_timestamp(sc):
    headers = sc.sign(BODY)
    if sc.timestamp_header is None:
        return headers, (sc.old,), None
    del headers[sc.timestamp_header]
    return headers, (sc.old,), errors.MissingHeader


CASES = [
    case_valid, case_tampered_body, case_wrong_secret, case_stale, case_future,
    case_within_tolerance, case_rotated_new_secret, case_rotated_old_secret, case_retired_secret,
    case_malformed_signature, case_malformed_timestamp, case_missing_signature,
    case_missing_timestamp,
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.__name__.removeprefix("case_"))
@pytest.mark.parametrize("scheme", list(SCHEMES))
def test_signature_matrix(scheme, case):
    sc = SCHEMES[scheme]
    headers, secrets, expected, *body = case(sc)
    body = body[0] if body else BODY
    if not sc.dated and case in (case_stale, case_future):
        expected = None  # Meta has no timestamp: the inbox's dedupe stops replays
    if expected is None:
        sc.verify(secrets, body, headers)
    else:
        with pytest.raises(expected) as caught:
            sc.verify(secrets, body, headers)
        message = str(caught.value)
        for secret in (sc.old, sc.new):
            assert secret not in message
        assert headers.get(sc.signature_header, "\0") not in message or expected in (
            errors.MissingHeader,
        )


def test_several_webform_signatures_in_one_header_accept_any_that_matches():
    good = s.sign_webform(BODY, msg_id="msg_1", at=NOW)
    other = s.sign_webform(BODY, secret=s.WRONG_WEBFORM_SECRET, msg_id="msg_1", at=NOW)
    good["webhook-signature"] = (
        f"v1a,ed25519sig {other['webhook-signature']} {good['webhook-signature']}"
    )
    _webform_verify((s.WEBFORM_SECRET,), BODY, good)


def test_webform_message_id_is_part_of_the_signature():
    headers = s.sign_webform(BODY, msg_id="msg_1", at=NOW)
    headers["webhook-id"] = "msg_2"
    with pytest.raises(errors.SignatureMismatch):
        _webform_verify((s.WEBFORM_SECRET,), BODY, headers)


def test_hubspot_signs_method_uri_and_decoded_escapes():
    uri = signatures.hubspot_v3_uri(
        "https://hooks.example.com/", "/webhooks/hubspot", "a=b%3Ac%2Cd&e=%20f"
    )
    assert uri == "https://hooks.example.com/webhooks/hubspot?a=b:c,d&e=%20f"
    headers = s.sign_hubspot(BODY, URI, at=NOW)
    with pytest.raises(errors.SignatureMismatch):  # same body, another URI
        signatures.verify_hubspot_v3(
            (s.HUBSPOT_SECRET.encode(),), method="POST", uri=URI + "&x=1", body=BODY,
            signature=headers["X-HubSpot-Signature-v3"],
            timestamp=headers["X-HubSpot-Request-Timestamp"], now=NOW, tolerance=TOL,
        )


def test_hubspot_timestamp_is_in_milliseconds():
    headers = s.sign_hubspot(BODY, URI, at=NOW)
    seconds = str(int(NOW.timestamp()))  # a sender using seconds looks 55 years old
    signature = base64.b64encode(hmac.new(
        s.HUBSPOT_SECRET.encode(), b"POST" + URI.encode() + BODY + seconds.encode(),
        hashlib.sha256).digest()).decode()
    headers.update({"X-HubSpot-Signature-v3": signature, "X-HubSpot-Request-Timestamp": seconds})
    with pytest.raises(errors.StaleRequest):
        _hubspot_verify((s.HUBSPOT_SECRET,), BODY, headers)


def test_shopify_accepts_its_own_retries_hours_later_but_not_a_day_later():
    _shopify_verify((s.SHOPIFY_SECRET,), BODY, s.sign_shopify(BODY, at=NOW - timedelta(hours=4)))
    with pytest.raises(errors.StaleRequest):
        _shopify_verify((s.SHOPIFY_SECRET,), BODY, s.sign_shopify(BODY, at=NOW - timedelta(days=1)))


def test_webform_secrets_must_be_whsec_base64():
    assert decode_webform_secret(s.WEBFORM_SECRET) == b"webform-secret-key-0001!"
    for bad in ("plain-secret", "whsec_!!!notbase64", "whsec_", "whsec_YWJj"):
        with pytest.raises(ValueError) as caught:
            decode_webform_secret(bad)
        assert bad.removeprefix("whsec_") not in str(caught.value) or not bad.removeprefix(
            "whsec_")


header_text = st.text(
    alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=200
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    scheme=st.sampled_from(list(SCHEMES)),
    body=st.binary(max_size=512),
    signature=st.one_of(st.none(), header_text),
    timestamp=st.one_of(st.none(), header_text, st.integers(-10**20, 10**20).map(str)),
    webhook_id=st.one_of(st.none(), header_text),
)
def test_fuzzed_headers_are_refused_with_a_signature_error_never_a_crash(
    scheme, body, signature, timestamp, webhook_id
):
    sc = SCHEMES[scheme]
    headers = {k: v for k, v in {
        sc.signature_header: signature,
        sc.timestamp_header or "x-unused": timestamp,
        "webhook-id": webhook_id,
    }.items() if v is not None}
    with pytest.raises(errors.SignatureError):
        sc.verify((sc.old, sc.new), body, headers)


@settings(max_examples=100, deadline=None)
@given(
    body=st.text(max_size=300).map(str.encode),
    msg_id=st.text(alphabet=st.characters(min_codepoint=0x21, max_codepoint=0x7E), min_size=1,
                   max_size=60),
    skew=st.integers(-299, 299),
)
def test_any_body_signed_by_the_standardwebhooks_package_verifies(body, msg_id, skew):
    headers = s.sign_webform(body, msg_id=msg_id, at=NOW + timedelta(seconds=skew))
    _webform_verify((s.WEBFORM_SECRET,), body, headers)


@settings(max_examples=100, deadline=None)
@given(
    body=st.text(max_size=300).map(str.encode),
    query=st.text(alphabet="abc=&%3A2F,;()@!$'*", max_size=40),
)
def test_any_body_and_query_signed_by_the_hubspot_sdk_verifies(body, query):
    # The SDK signs the URI as given; HubSpot decodes the listed escapes first, so sign the
    # decoded form, as HubSpot does.
    uri = signatures.hubspot_v3_uri("https://hooks.example.com", "/webhooks/hubspot", query)
    headers = s.sign_hubspot(body, uri, at=NOW)
    signatures.verify_hubspot_v3(
        (s.HUBSPOT_SECRET.encode(),), method="POST", uri=uri, body=body,
        signature=headers["X-HubSpot-Signature-v3"],
        timestamp=headers["X-HubSpot-Request-Timestamp"], now=NOW, tolerance=TOL,
    )
