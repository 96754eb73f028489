"""The CRM of one HubSpot portal, rendered from the market's population.

Built once, lazily, from the people visible at the market's ``now()`` (a snapshot: a later
clock adds no people, but writes change records and move them in the search index):

* **contacts**: one per person (id = person index + 1); strings as HubSpot sends them, plus
  the hidden form fields a site captures (GA client id; gclid/fbclid/li_fat_id of the touch
  before the lead). ``lastmodifieddate`` is the person's latest visible event.
* **companies**: one per email domain.
* **deals**: one per ``deal`` conversion whose creation (two days after the lead) is visible:
  ``closedwon`` with its amount once the close is visible, else an open stage.
* **lists**: six contact lists (two MANUAL, four DYNAMIC) with membership timestamps.
* **forms** and their **submissions**: one per ``lead`` conversion, with hidden-field values.

Only per-record instants are kept (``array('q')``); properties are re-derived from the
person on demand, so a million contacts cost tens of MB here plus the population's own cache.
"""

from __future__ import annotations

import hashlib
import threading
import uuid
from array import array
from bisect import bisect_left
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from emulators.hubspot.index import MAX_ID, SearchIndex
from emulators.population import Person, Population, Touch, declared_channels
from emulators.traffic import AdChannel, Channel

CONTACT_ID_OFFSET = 1
DEAL_ID_OFFSET = 4_000_000
COMPANY_ID_OFFSET = 7_000_000
MAX_POPULATION = DEAL_ID_OFFSET - 1_000_000  # leaves ids for contacts created by upsert
LIFECYCLE_STAGES = ("subscriber", "lead", "marketingqualifiedlead", "salesqualifiedlead",
                    "opportunity", "customer", "evangelist", "other")
OPEN_STAGE = "presentationscheduled"
WON_STAGE = "closedwon"
SITE = "https://www.example.com"


def click_params(channels: Iterable[Channel]) -> tuple[str, ...]:
    """Return the click-id parameters a form's hidden fields capture: every ad channel's."""
    return tuple(c.click_id_param for c in channels if isinstance(c, AdChannel))


@cache
def declared_click_params() -> tuple[str, ...]:
    """:func:`click_params` of the market's declared channels (resolved on first use)."""
    return click_params(declared_channels())


@dataclass(frozen=True)
class ObjectType:
    """One CRM object type: its names, modified-date property and known properties."""

    name: str
    type_id: str
    modified_property: str
    properties: frozenset[str]
    defaults: tuple[str, ...]
    read_only: frozenset[str] = frozenset({"createdate", "hs_object_id", "lastmodifieddate",
                                           "hs_lastmodifieddate"})


CONTACTS = ObjectType(
    "contacts", "0-1", "lastmodifieddate",
    frozenset({"email", "firstname", "lastname", "phone", "lifecyclestage", "createdate",
               "lastmodifieddate", "hs_object_id", "associatedcompanyid", "ga_client_id",
               "gclid", "fbclid", "li_fat_id", "company", "jobtitle", "hs_lead_status",
               # custom properties the portal defines for lead intake
               "utm_source", "utm_medium", "utm_campaign", "lead_source",
               "marketing_consent"}),
    ("createdate", "email", "firstname", "hs_object_id", "lastmodifieddate", "lastname"),
)
COMPANIES = ObjectType(
    "companies", "0-2", "hs_lastmodifieddate",
    frozenset({"name", "domain", "createdate", "hs_lastmodifieddate", "hs_object_id",
               "num_associated_contacts", "country"}),
    ("createdate", "domain", "hs_lastmodifieddate", "hs_object_id", "name"),
)
DEALS = ObjectType(
    "deals", "0-3", "hs_lastmodifieddate",
    frozenset({"dealname", "amount", "dealstage", "pipeline", "closedate", "createdate",
               "hs_lastmodifieddate", "hs_object_id", "deal_currency_code",
               "hs_is_closed_won"}),
    ("amount", "closedate", "createdate", "dealname", "dealstage", "hs_lastmodifieddate",
     "hs_object_id", "pipeline"),
)
OBJECT_TYPES = {t.name: t for t in (CONTACTS, COMPANIES, DEALS)}
OBJECT_TYPES.update({t.type_id: t for t in (CONTACTS, COMPANIES, DEALS)})

PIPELINE: dict[str, Any] = {
    "id": "default",
    "label": "Sales Pipeline",
    "displayOrder": 0,
    "archived": False,
    "stages": [
        {"id": sid, "label": label, "displayOrder": i, "archived": False,
         "metadata": {"isClosed": str(closed).lower(), "probability": prob}}
        for i, (sid, label, closed, prob) in enumerate((
            ("appointmentscheduled", "Appointment Scheduled", False, "0.2"),
            ("qualifiedtobuy", "Qualified To Buy", False, "0.4"),
            ("presentationscheduled", "Presentation Scheduled", False, "0.6"),
            ("decisionmakerboughtin", "Decision Maker Bought-In", False, "0.8"),
            ("contractsent", "Contract Sent", False, "0.9"),
            ("closedwon", "Closed Won", True, "1.0"),
            ("closedlost", "Closed Lost", True, "0.0"),
        ))
    ],
}
STAGE_IDS = frozenset(s["id"] for s in PIPELINE["stages"])


def _paid(touch: Touch, medium: str) -> bool:
    """Whether ``touch`` is an ad touch (click or view) of an ad channel with utm ``medium``."""
    return touch.platform is not None and touch.medium == medium


def to_ms(moment: datetime) -> int:
    """Epoch milliseconds of an aware datetime (floored)."""
    return int(moment.timestamp() * 1000)


def iso(ms: int) -> str:
    """HubSpot's ISO form of an instant: ``2026-11-20T10:15:02.123Z``."""
    base = datetime.fromtimestamp(ms // 1000, UTC).strftime("%Y-%m-%dT%H:%M:%S")
    return f"{base}.{ms % 1000:03d}Z"


def _guid(*parts: object) -> str:
    return str(uuid.UUID(hashlib.md5(":".join(map(str, parts)).encode()).hexdigest()))


@dataclass
class ListDef:
    """A contact list and its members (record ids ascending, membership instants beside)."""

    list_id: str
    name: str
    processing_type: str
    created_ms: int
    ids: array[int] = field(default_factory=lambda: array("q"))
    since: array[int] = field(default_factory=lambda: array("q"))
    updated_ms: int = 0

    def render(self) -> dict[str, Any]:
        """Render the list as ``POST /crm/v3/lists/search`` returns it."""
        return {
            "listId": self.list_id,
            "listVersion": 1,
            "name": self.name,
            "objectTypeId": "0-1",
            "processingType": self.processing_type,
            "processingStatus": "COMPLETE",
            "createdAt": iso(self.created_ms),
            "updatedAt": iso(self.updated_ms or self.created_ms),
            "additionalProperties": {"hs_list_size": str(len(self.ids))},
        }


@dataclass(frozen=True)
class Form:
    """A HubSpot form (``formGuid``) and the landing pages whose leads it captured."""

    guid: str
    name: str
    pages: tuple[str, ...]


class Crm:
    """Records of one portal (see the module docstring).

    Args:
        population: the people to render.
        now: the snapshot instant.
        bulk_import: this many contacts (lowest ids) share one ``lastmodifieddate``, as after
            a bulk import, to exercise re-anchoring beyond the 10,000 search cap.
        bulk_import_at: that shared instant (default: two hours before ``now``).
        timezone: the portal's time zone (nightly company rollups run at 23:00 there).

    """

    def __init__(
        self,
        population: Population,
        now: datetime,
        *,
        bulk_import: int = 0,
        bulk_import_at: datetime | None = None,
        timezone: str = "UTC",
    ) -> None:
        if population.size > MAX_POPULATION:
            raise ValueError(f"population size must be <= {MAX_POPULATION}")
        self.population = population
        self.now = now
        self.tz = ZoneInfo(timezone)
        self.currency = population.currency
        self.lock = threading.RLock()
        n = population.size
        self.created = array("q", [-1]) * n  # by person index; -1: not visible
        self.modified = array("q", [-1]) * n
        self.contact_ids = array("q")  # ascending (basic list paging)
        self.overrides: dict[int, dict[str, str | None]] = {}  # contact id -> changed props
        self.new_contacts: dict[int, tuple[int, int]] = {}  # id -> (created, modified)
        self.emails: dict[str, int] = {}  # emails set or created by writes -> id
        self.next_contact_id = n + CONTACT_ID_OFFSET
        self.companies: dict[int, dict[str, Any]] = {}
        self.domain_company: dict[str, int] = {}
        self.deals: dict[int, tuple[int, int, int | None, str, int]] = {}
        self.forms = (
            Form(_guid("form", population.seed, "demo"), "Demo request", ("/demo", "/pricing")),
            Form(_guid("form", population.seed, "contact"), "Contact us",
                 ("/", "/blog/attribution", "/shop", "/shop/starter-kit")),
        )
        self.submissions: dict[str, list[tuple[int, int]]] = {f.guid: [] for f in self.forms}
        self.lists: dict[str, ListDef] = {}
        self.indexes: dict[str, SearchIndex] = {}
        self._build(bulk_import, bulk_import_at or now - timedelta(hours=2))

    # ------------------------------------------------------------------ building
    def _build(self, bulk: int, bulk_at: datetime) -> None:
        now = self.now
        start_ms = to_ms(now - timedelta(days=200))
        specs = (
            ("1001", "Newsletter subscribers", "MANUAL"),
            ("1002", "Webinar attendees", "MANUAL"),
            ("1003", "Leads", "DYNAMIC"),
            ("1004", "Customers", "DYNAMIC"),
            ("1005", "Paid search visitors", "DYNAMIC"),
            ("1006", "Paid social visitors", "DYNAMIC"),
        )
        for list_id, name, kind in specs:
            self.lists[list_id] = ListDef(list_id, name, kind, start_ms)
        domains: dict[str, list[int]] = {}
        contact_pairs: list[tuple[int, int]] = []
        deal_pairs: list[tuple[int, int]] = []
        bulk_ms = to_ms(bulk_at)
        for person in self.population:
            if person.first_seen > now:
                continue
            i = person.index
            cid = i + CONTACT_ID_OFFSET
            created = to_ms(person.first_seen)
            modified = to_ms(person.updated_at(now))
            if bulk > 0 and bulk_ms >= created:
                modified, bulk = bulk_ms, bulk - 1
            self.created[i], self.modified[i] = created, modified
            self.contact_ids.append(cid)
            contact_pairs.append((modified, cid))
            domain = person.email.rsplit("@", 1)[1]
            stats = domains.setdefault(domain, [created, created, 0])
            stats[0], stats[1], stats[2] = min(stats[0], created), max(stats[1], created), \
                stats[2] + 1
            self._add_conversions(person, cid, deal_pairs)
            self._add_memberships(person, cid)
        rollup = self._last_rollup()
        for number, (domain, (first, last, count)) in enumerate(sorted(domains.items()), 1):
            company_id = COMPANY_ID_OFFSET + number
            # Company rollups (num_associated_contacts) are recalculated nightly.
            last = max(first, min(last, rollup + number * 60_000))
            self.domain_company[domain] = company_id
            self.companies[company_id] = {
                "name": domain.replace(".", " ").title(),
                "domain": domain,
                "createdate": first,
                "modified": last,
                "num_associated_contacts": count,
            }
        for subs in self.submissions.values():
            subs.sort(reverse=True)
        self.indexes = {
            "contacts": SearchIndex(contact_pairs),
            "deals": SearchIndex(deal_pairs),
            "companies": SearchIndex((c["modified"], cid) for cid, c in self.companies.items()),
        }

    def _last_rollup(self) -> int:
        """Epoch ms of the last nightly rollup (23:00 in the portal's zone) before now."""
        local = self.now.astimezone(self.tz)
        run = local.replace(hour=23, minute=0, second=0, microsecond=0)
        if run + timedelta(minutes=30) > local:
            run -= timedelta(days=1)
        return to_ms(run)

    def _add_conversions(self, person: Person, cid: int, deal_pairs: list[tuple[int, int]]) -> None:
        now = self.now
        lead_at = None
        for conv in person.conversions:
            if conv.kind == "lead" and conv.at <= now:
                lead_at = conv.at
                page = person.touches[conv.touch_index].landing_page
                form = next((f for f in self.forms if page in f.pages), self.forms[1])
                self.submissions[form.guid].append((to_ms(conv.at), person.index))
            elif conv.kind == "deal" and lead_at is not None:
                created = lead_at + timedelta(days=2)
                if created > now:
                    continue
                closed = to_ms(conv.at) if conv.at <= now else None
                modified = closed if closed is not None else to_ms(created)
                deal_id = DEAL_ID_OFFSET + person.index + 1
                self.deals[deal_id] = (person.index, to_ms(created), closed,
                                       f"{conv.value:.2f}", modified)
                deal_pairs.append((modified, deal_id))

    def _add_memberships(self, person: Person, cid: int) -> None:
        now = self.now
        visible = [c for c in person.conversions if c.at <= now]
        touches = [t for t in person.touches if t.at <= now]

        def join(list_id: str, at: datetime | None) -> None:
            if at is not None:
                members = self.lists[list_id]
                members.ids.append(cid)
                members.since.append(to_ms(at))
                members.updated_ms = max(members.updated_ms, to_ms(at))

        join("1001", person.first_seen if person.marketing_consent else None)
        join("1002", person.first_seen if person.index % 11 == 3 else None)
        join("1003", next((c.at for c in visible if c.kind == "lead"), None))
        join("1004", next((c.at for c in visible if c.kind in ("deal", "order")), None))
        join("1005", next((t.at for t in touches if _paid(t, "cpc")), None))
        join("1006", next((t.at for t in touches if _paid(t, "paid_social")), None))

    # ------------------------------------------------------------------ contacts
    def person_of(self, contact_id: int) -> Person | None:
        """Return the person behind a contact id (None for contacts created through the API)."""
        index = contact_id - CONTACT_ID_OFFSET
        if 0 <= index < self.population.size and self.created[index] >= 0:
            return self.population.person(index)
        return None

    def contact_exists(self, contact_id: int) -> bool:
        """Whether the contact exists."""
        return self.person_of(contact_id) is not None or contact_id in self.new_contacts

    def contact_times(self, contact_id: int) -> tuple[int, int]:
        """(createdate, lastmodifieddate) in epoch ms."""
        if contact_id in self.new_contacts:
            return self.new_contacts[contact_id]
        index = contact_id - CONTACT_ID_OFFSET
        return self.created[index], self.modified[index]

    def contact_by_email(self, email: str) -> int | None:
        """Return the id of the contact with ``email`` (case-insensitive), if any."""
        wanted = email.strip().lower()
        if wanted in self.emails:
            return self.emails[wanted]
        local = wanted.split("@", 1)[0]
        tail = local.rsplit(".", 1)[-1]
        if tail.isdigit():  # population emails end in the person index
            cid = int(tail) + CONTACT_ID_OFFSET
            person = self.person_of(cid)
            if person is not None and person.email == wanted:
                changed = self.overrides.get(cid, {}).get("email")
                if changed is None or changed == wanted:
                    return cid
        return None

    def contact_properties(self, contact_id: int) -> dict[str, str | None]:
        """Every known property of a contact, as strings (or None)."""
        created, modified = self.contact_times(contact_id)
        props: dict[str, str | None] = dict.fromkeys(CONTACTS.properties)
        person = self.person_of(contact_id)
        if person is not None:
            props.update(self._person_props(person))
        props.update(self.overrides.get(contact_id, {}))
        props["createdate"] = iso(created)
        props["lastmodifieddate"] = iso(modified)
        props["hs_object_id"] = str(contact_id)
        return props

    def _person_props(self, person: Person) -> dict[str, str | None]:
        domain = person.email.rsplit("@", 1)[1]
        out: dict[str, str | None] = {
            "email": person.email,
            "firstname": person.first_name,
            "lastname": person.last_name,
            "phone": person.phone,
            "lifecyclestage": person.lifecycle_stage(self.now),
            "associatedcompanyid": str(self.domain_company.get(domain, "")) or None,
            "company": domain.replace(".", " ").title(),
        }
        lead = next((c for c in person.conversions if c.kind == "lead" and c.at <= self.now), None)
        if lead is not None:
            out["ga_client_id"] = person.client_id
            touch = next((t for t in reversed(person.touches[: lead.touch_index + 1])
                          if t.click_id), None)
            if touch is not None and touch.click_id_param in declared_click_params():
                out[touch.click_id_param] = touch.click_id
        return out

    def set_contact(self, contact_id: int | None, values: dict[str, str | None],
                    at_ms: int) -> tuple[int, bool, dict[str, tuple[str | None, str | None]]]:
        """Create or update a contact; return (id, created, {property: (before, after)}).

        Only changed properties are applied; an update that changes nothing keeps its
        ``lastmodifieddate``.
        """
        with self.lock:
            created = contact_id is None
            if contact_id is None:
                contact_id = self.next_contact_id
                if contact_id > DEAL_ID_OFFSET - 1 or contact_id > MAX_ID:
                    raise ValueError("the emulator's contact id space is exhausted")
                self.next_contact_id += 1
                before: dict[str, str | None] = dict.fromkeys(CONTACTS.properties)
            else:
                before = self.contact_properties(contact_id)
            changes = {k: (before.get(k), v) for k, v in values.items() if before.get(k) != v}
            if not changes and not created:
                return contact_id, False, {}
            override = self.overrides.setdefault(contact_id, {})
            override.update({k: after for k, (_, after) in changes.items()})
            if "email" in changes and changes["email"][1]:
                self.emails[str(changes["email"][1]).lower()] = contact_id
            index = self.indexes["contacts"]
            if created:
                self.new_contacts[contact_id] = (at_ms, at_ms)
                self.contact_ids.append(contact_id)
                index.add(at_ms, contact_id)
            else:
                old = self.contact_times(contact_id)[1]
                if contact_id in self.new_contacts:
                    self.new_contacts[contact_id] = (self.new_contacts[contact_id][0], at_ms)
                else:
                    self.modified[contact_id - CONTACT_ID_OFFSET] = at_ms
                index.move(old, at_ms, contact_id)
            return contact_id, created, changes

    # ------------------------------------------------------------------ companies, deals
    def company_properties(self, company_id: int) -> dict[str, str | None]:
        """Every known property of a company."""
        c = self.companies[company_id]
        props: dict[str, str | None] = dict.fromkeys(COMPANIES.properties)
        props.update({
            "name": c["name"], "domain": c["domain"], "createdate": iso(c["createdate"]),
            "hs_lastmodifieddate": iso(c["modified"]), "hs_object_id": str(company_id),
            "num_associated_contacts": str(c["num_associated_contacts"]), "country": "Germany",
        })
        return props

    def company_times(self, company_id: int) -> tuple[int, int]:
        """(createdate, hs_lastmodifieddate) in epoch ms."""
        c = self.companies[company_id]
        return c["createdate"], c["modified"]

    def deal_properties(self, deal_id: int) -> dict[str, str | None]:
        """Every known property of a deal (amount as a decimal string)."""
        index, created, closed, amount, modified = self.deals[deal_id]
        person = self.population.person(index)
        props: dict[str, str | None] = dict.fromkeys(DEALS.properties)
        props.update({
            "dealname": f"{person.first_name} {person.last_name} - Enterprise plan",
            "amount": amount,
            "dealstage": WON_STAGE if closed is not None else OPEN_STAGE,
            "pipeline": "default",
            "closedate": iso(closed) if closed is not None else None,
            "createdate": iso(created),
            "hs_lastmodifieddate": iso(modified),
            "hs_object_id": str(deal_id),
            "deal_currency_code": self.currency,
            "hs_is_closed_won": "true" if closed is not None else "false",
        })
        return props

    def deal_times(self, deal_id: int) -> tuple[int, int]:
        """(createdate, hs_lastmodifieddate) in epoch ms."""
        deal = self.deals[deal_id]
        return deal[1], deal[4]

    def deal_contact(self, deal_id: int) -> int:
        """Return the contact a deal is associated with."""
        return self.deals[deal_id][0] + CONTACT_ID_OFFSET

    # ------------------------------------------------------------------ generic access
    def exists(self, object_type: ObjectType, record_id: int) -> bool:
        """Whether a record of ``object_type`` exists."""
        if object_type is CONTACTS:
            return self.contact_exists(record_id)
        if object_type is COMPANIES:
            return record_id in self.companies
        return record_id in self.deals

    def properties(self, object_type: ObjectType, record_id: int) -> dict[str, str | None]:
        """Every known property of one record."""
        if object_type is CONTACTS:
            return self.contact_properties(record_id)
        if object_type is COMPANIES:
            return self.company_properties(record_id)
        return self.deal_properties(record_id)

    def times(self, object_type: ObjectType, record_id: int) -> tuple[int, int]:
        """Return (created, modified) of one record, epoch ms."""
        if object_type is CONTACTS:
            return self.contact_times(record_id)
        if object_type is COMPANIES:
            return self.company_times(record_id)
        return self.deal_times(record_id)

    def ids(self, object_type: ObjectType) -> list[int] | array[int]:
        """Record ids in ascending order (basic list paging)."""
        if object_type is CONTACTS:
            return self.contact_ids
        if object_type is COMPANIES:
            return sorted(self.companies)
        return sorted(self.deals)

    def render(self, object_type: ObjectType, record_id: int,
               wanted: tuple[str, ...] | None) -> dict[str, Any]:
        """Render a record as the objects and search endpoints return it."""
        props = self.properties(object_type, record_id)
        names = wanted if wanted else object_type.defaults
        keep = {n: props[n] for n in names if n in props}
        for always in ("createdate", object_type.modified_property, "hs_object_id"):
            keep[always] = props[always]
        created, modified = self.times(object_type, record_id)
        return {"id": str(record_id), "properties": keep, "createdAt": iso(created),
                "updatedAt": iso(modified), "archived": False}

    # ------------------------------------------------------------------ forms, lists
    def form(self, guid: str) -> Form | None:
        """Return the form with ``guid``, if any."""
        return next((f for f in self.forms if f.guid == guid), None)

    def submission(self, submitted_ms: int, index: int) -> dict[str, Any]:
        """One form submission with its visible and hidden fields."""
        person = self.population.person(index)
        lead = next(c for c in person.conversions if c.kind == "lead")
        touch = person.touches[lead.touch_index]
        click = next((t for t in reversed(person.touches[: lead.touch_index + 1])
                      if t.click_id), None)
        values = [
            {"name": "email", "value": person.email},
            {"name": "firstname", "value": person.first_name},
            {"name": "lastname", "value": person.last_name},
        ]
        if person.phone:
            values.append({"name": "phone", "value": person.phone})
        values += [
            {"name": "ga_client_id", "value": person.client_id},
            {"name": "utm_source", "value": touch.source},
            {"name": "utm_medium", "value": touch.medium},
            {"name": "utm_campaign", "value": touch.campaign},
        ]
        query = ""
        if click is not None and click.click_id_param and click.click_id:
            values.append({"name": click.click_id_param, "value": click.click_id})
            query = f"?{click.click_id_param}={click.click_id}"
        return {
            "conversionId": _guid("submission", self.population.seed, lead.id),
            "submittedAt": submitted_ms,
            "values": values,
            "pageUrl": f"{SITE}{touch.landing_page}{query}",
        }

    def add_members(self, list_id: str, record_ids: list[int], at_ms: int) -> tuple[list[int],
                                                                                     list[int]]:
        """Add contacts to a list; return (added, missing). Members already in stay as they are."""
        members = self.lists[list_id]
        added: list[int] = []
        missing: list[int] = []
        with self.lock:
            for rid in record_ids:
                if not self.contact_exists(rid):
                    missing.append(rid)
                    continue
                at = bisect_left(members.ids, rid)
                if at < len(members.ids) and members.ids[at] == rid:
                    continue
                members.ids.insert(at, rid)
                members.since.insert(at, at_ms)
                members.updated_ms = at_ms
                added.append(rid)
        return added, missing

    def remove_members(self, list_id: str, record_ids: list[int], at_ms: int) -> list[int]:
        """Remove contacts from a list; return those removed."""
        members = self.lists[list_id]
        removed: list[int] = []
        with self.lock:
            for rid in record_ids:
                at = bisect_left(members.ids, rid)
                if at < len(members.ids) and members.ids[at] == rid:
                    del members.ids[at]
                    del members.since[at]
                    members.updated_ms = at_ms
                    removed.append(rid)
        return removed

    def deal_ids_by_contact(self) -> Iterator[tuple[int, int]]:
        """(deal id, contact id) pairs."""
        for deal_id, deal in self.deals.items():
            yield deal_id, deal[0] + CONTACT_ID_OFFSET


def money(value: Decimal) -> str:
    """Format a decimal amount as HubSpot sends it (a string)."""
    return f"{value:.2f}"
