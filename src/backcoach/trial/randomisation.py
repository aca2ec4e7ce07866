"""Randomisation with allocation concealment: permuted blocks, a sealed sequence, audited reveals.

How it works (pure functions; the store persists the objects they return):

1. :class:`TrialDefinition` names the arms, their allocation ratio, the block-size multiples and
   optional strata.
2. :func:`generate_sequence` draws, before enrolment, one list of permuted blocks per stratum; each
   block's size is a random multiple of the ratio's sum (concealed: staff never see block sizes).
   Every slot gets a random 128-bit nonce and a commitment ``sha256(trial, stratum, position, arm,
   nonce)``. The *seal* is a hash over the definition and every commitment; it is published (e.g.
   in the trial registry or sent to the data monitoring committee) when the sequence is made.
3. The sequence itself (the vault) is kept out of staff's reach. :func:`public_view` is what the
   portal may show: the seal and the commitments, which hide the arms (the nonces are secret).
4. :func:`reveal_next` allocates one participant: the next unused slot of their stratum. The
   reveal is returned as a :class:`RevealRecord` that discloses the slot's arm and nonce (so anyone
   can check it against the published commitment) and links to the previous record by hash.
5. :func:`verify_sequence` and :func:`verify_reveals` detect any change to the vault, to a reveal
   record, to their order, or a deleted record (given the head hash held by the caller).

Randomness comes from the operating system (:class:`random.SystemRandom`) unless a generator is
passed (tests pass a seeded one).
"""

from __future__ import annotations

import hashlib
import itertools
import json
import random
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace

BLOCK_MULTIPLES = (1, 2, 3)  # block size = multiple x sum(ratio): 2, 4, 6 for 1:1 [E]
NONCE_BITS = 128


class RandomisationError(ValueError):
    """A request the randomisation service must refuse (the message says why)."""


class TamperError(ValueError):
    """Stored randomisation data do not match their hashes (the message says which item)."""


@dataclass(frozen=True)
class TrialDefinition:
    """Arms, allocation ratio, block-size multiples and optional strata of a trial."""

    trial_id: str
    arms: tuple[str, ...]
    ratio: tuple[int, ...] = ()
    block_multiples: tuple[int, ...] = BLOCK_MULTIPLES
    strata: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        ratio = self.ratio or (1,) * len(self.arms)
        object.__setattr__(self, "ratio", tuple(ratio))
        if len(self.arms) < 2 or len(set(self.arms)) != len(self.arms):
            raise RandomisationError(f"trial {self.trial_id!r}: arms {list(self.arms)} must be 2 or more distinct names")
        if len(self.ratio) != len(self.arms) or any(int(r) != r or r < 1 for r in self.ratio):
            raise RandomisationError(
                f"trial {self.trial_id!r}: ratio {list(self.ratio)} must give one whole number >= 1 per arm {list(self.arms)}"
            )
        if not self.block_multiples or any(int(m) != m or m < 1 for m in self.block_multiples):
            raise RandomisationError(f"trial {self.trial_id!r}: block multiples {list(self.block_multiples)} must be whole numbers >= 1")
        for factor, levels in self.strata.items():
            if len(levels) < 1 or len(set(levels)) != len(levels):
                raise RandomisationError(f"trial {self.trial_id!r}: stratum factor {factor!r} needs distinct levels, got {list(levels)}")

    def stratum_names(self) -> list[str]:
        """Every stratum as ``factor=level;factor=level`` (``all`` when unstratified)."""
        if not self.strata:
            return ["all"]
        factors = sorted(self.strata)
        return [";".join(f"{f}={lv}" for f, lv in zip(factors, combo))
                for combo in itertools.product(*(self.strata[f] for f in factors))]

    def stratum_of(self, factors: Mapping[str, str] | None) -> str:
        """The stratum of a participant from their stratification factors."""
        if not self.strata:
            return "all"
        factors = factors or {}
        parts = []
        for factor in sorted(self.strata):
            level = factors.get(factor)
            if level not in self.strata[factor]:
                raise RandomisationError(
                    f"stratification factor {factor!r} = {level!r}; expected one of {list(self.strata[factor])}"
                )
            parts.append(f"{factor}={level}")
        return ";".join(parts)

    def to_dict(self) -> dict:
        return {"trial_id": self.trial_id, "arms": list(self.arms), "ratio": list(self.ratio),
                "block_multiples": list(self.block_multiples),
                "strata": {k: list(v) for k, v in sorted(self.strata.items())}}


@dataclass(frozen=True)
class Slot:
    """One position of the sealed sequence (secret until revealed)."""

    stratum: str
    position: int  # 1-based within the stratum
    block: int  # 1-based block number within the stratum
    block_size: int
    arm: str
    nonce: str

    def commitment(self, trial_id: str) -> str:
        return commit(trial_id, self.stratum, self.position, self.arm, self.nonce)


@dataclass(frozen=True)
class SealedSequence:
    """The vault: the full allocation sequence and its seal. Never shown to trial staff."""

    definition: TrialDefinition
    slots: tuple[Slot, ...]
    seal: str
    created_at: str

    def slots_of(self, stratum: str) -> list[Slot]:
        return [s for s in self.slots if s.stratum == stratum]


@dataclass(frozen=True)
class RevealRecord:
    """One allocation, as recorded in the tamper-evident reveal log."""

    index: int  # 1-based over the whole trial
    trial_id: str
    participant: str
    stratum: str
    position: int
    arm: str
    nonce: str
    commitment: str
    actor: str
    at: str  # ISO 8601 time given by the caller
    prev_hash: str
    hash: str = ""

    def content_hash(self) -> str:
        body = {k: v for k, v in asdict(self).items() if k != "hash"}
        return _sha256(json.dumps(body, sort_keys=True, separators=(",", ":")))

    def to_dict(self) -> dict:
        return asdict(self)


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def commit(trial_id: str, stratum: str, position: int, arm: str, nonce: str) -> str:
    """Hiding, binding commitment to one slot's arm."""
    return _sha256(json.dumps([trial_id, stratum, position, arm, nonce], separators=(",", ":")))


def compute_seal(definition: TrialDefinition, slots: Sequence[Slot], created_at: str) -> str:
    """Hash over the definition, the creation time and every slot commitment, in order."""
    payload = {
        "definition": definition.to_dict(),
        "created_at": created_at,
        "commitments": [[s.stratum, s.position, s.block, s.block_size, s.commitment(definition.trial_id)] for s in slots],
    }
    return _sha256(json.dumps(payload, sort_keys=True, separators=(",", ":")))


def generate_sequence(
    definition: TrialDefinition,
    per_stratum: int,
    created_at: str,
    rng: random.Random | None = None,
) -> SealedSequence:
    """Draw and seal the allocation sequence before enrolment.

    Parameters
    ----------
    definition : TrialDefinition
    per_stratum : int
        Minimum number of slots per stratum; whole blocks are drawn until it is reached.
    created_at : str
        ISO 8601 time of generation (part of the seal).
    rng : random.Random, optional
        Source of randomness; the operating system's by default.
    """
    if per_stratum < 1:
        raise RandomisationError(f"per_stratum = {per_stratum} must be at least 1")
    rng = rng or random.SystemRandom()
    unit = [arm for arm, r in zip(definition.arms, definition.ratio) for _ in range(r)]
    slots: list[Slot] = []
    for stratum in definition.stratum_names():
        position, block = 0, 0
        while position < per_stratum:
            block += 1
            multiple = rng.choice(definition.block_multiples)
            arms = unit * multiple
            rng.shuffle(arms)
            for arm in arms:
                position += 1
                nonce = f"{rng.getrandbits(NONCE_BITS):032x}"
                slots.append(Slot(stratum, position, block, len(arms), arm, nonce))
    return SealedSequence(definition, tuple(slots), compute_seal(definition, slots, created_at), created_at)


def public_view(sealed: SealedSequence) -> dict:
    """What the portal may show before reveal: definition, seal and per-slot commitments only."""
    trial_id = sealed.definition.trial_id
    return {
        "definition": sealed.definition.to_dict(),
        "seal": sealed.seal,
        "created_at": sealed.created_at,
        "commitments": [
            {"stratum": s.stratum, "position": s.position, "commitment": s.commitment(trial_id)}
            for s in sealed.slots
        ],
    }


def reveal_next(
    sealed: SealedSequence,
    log: Sequence[RevealRecord],
    participant: str,
    actor: str,
    at: str,
    factors: Mapping[str, str] | None = None,
) -> RevealRecord:
    """Allocate one participant: reveal the next unused slot of their stratum.

    Returns the new record; the caller appends it to the log (and keeps its hash as the head).
    Refuses a participant already allocated and a stratum whose slots are used up.
    """
    if any(r.participant == participant for r in log):
        raise RandomisationError(f"participant {participant!r} is already allocated")
    stratum = sealed.definition.stratum_of(factors)
    used = sum(1 for r in log if r.stratum == stratum)
    slots = sealed.slots_of(stratum)
    if used >= len(slots):
        raise RandomisationError(f"stratum {stratum!r} has no allocation left ({len(slots)} used); extend the sequence")
    slot = slots[used]
    record = RevealRecord(
        index=len(log) + 1, trial_id=sealed.definition.trial_id, participant=participant,
        stratum=stratum, position=slot.position, arm=slot.arm, nonce=slot.nonce,
        commitment=slot.commitment(sealed.definition.trial_id), actor=actor, at=at,
        prev_hash=log[-1].hash if log else sealed.seal,
    )
    return replace(record, hash=record.content_hash())


def verify_sequence(sealed: SealedSequence, published_seal: str) -> None:
    """Raise :class:`TamperError` unless the vault still hashes to the seal published at creation."""
    if sealed.seal != published_seal:
        raise TamperError(f"stored seal {sealed.seal[:12]}... differs from the published seal {published_seal[:12]}...")
    recomputed = compute_seal(sealed.definition, sealed.slots, sealed.created_at)
    if recomputed != published_seal:
        raise TamperError("the stored sequence does not match its seal (a slot, block or the definition changed)")
    for stratum in sealed.definition.stratum_names():
        positions = [s.position for s in sealed.slots_of(stratum)]
        if positions != list(range(1, len(positions) + 1)):
            raise TamperError(f"stratum {stratum!r}: slot positions are not 1..{len(positions)} in order")


def verify_reveals(public: Mapping, log: Sequence[RevealRecord], head: str | None = None) -> None:
    """Check the reveal log against the published commitments and its own hash chain.

    Parameters
    ----------
    public : mapping
        :func:`public_view` of the sequence (holds the seal and every commitment).
    log : sequence of RevealRecord
        The stored reveal records in order.
    head : str, optional
        Hash of the last record as kept by the caller (detects deleted tail records).
    """
    commitments = {(c["stratum"], c["position"]): c["commitment"] for c in public["commitments"]}
    trial_id = public["definition"]["trial_id"]
    previous = public["seal"]
    next_position: dict[str, int] = {}
    seen: set[str] = set()
    for i, record in enumerate(log, start=1):
        where = f"reveal record {i} (participant {record.participant!r})"
        if record.index != i:
            raise TamperError(f"{where}: index {record.index}, expected {i}")
        if record.prev_hash != previous:
            raise TamperError(f"{where}: does not link to the previous record (chain broken)")
        if record.content_hash() != record.hash:
            raise TamperError(f"{where}: content does not match its hash")
        expected_position = next_position.get(record.stratum, 0) + 1
        if record.position != expected_position:
            raise TamperError(f"{where}: position {record.position} in {record.stratum!r}, expected {expected_position}")
        published = commitments.get((record.stratum, record.position))
        if published is None or published != record.commitment or record.trial_id != trial_id or \
                commit(trial_id, record.stratum, record.position, record.arm, record.nonce) != published:
            raise TamperError(f"{where}: arm {record.arm!r} does not open the published commitment of its slot")
        if record.participant in seen:
            raise TamperError(f"{where}: participant allocated twice")
        seen.add(record.participant)
        next_position[record.stratum] = record.position
        previous = record.hash
    if head is not None and previous != head:
        raise TamperError("the last stored record is not the recorded head: records were removed or added")


def sequence_to_dict(sealed: SealedSequence) -> dict:
    """JSON-ready form of the vault (for the store, or a file kept by the unblinded assistant)."""
    return {"definition": sealed.definition.to_dict(), "created_at": sealed.created_at, "seal": sealed.seal,
            "slots": [asdict(s) for s in sealed.slots]}


def sequence_from_dict(data: Mapping) -> SealedSequence:
    """Inverse of :func:`sequence_to_dict`; run :func:`verify_sequence` before trusting it."""
    d = data["definition"]
    definition = TrialDefinition(d["trial_id"], tuple(d["arms"]), tuple(d["ratio"]), tuple(d["block_multiples"]),
                                 {k: tuple(v) for k, v in d.get("strata", {}).items()})
    slots = tuple(Slot(**s) for s in data["slots"])
    return SealedSequence(definition, slots, data["seal"], data["created_at"])


def record_from_dict(data: Mapping) -> RevealRecord:
    return RevealRecord(**data)
