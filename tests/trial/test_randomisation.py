import dataclasses
import random
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backcoach.trial.randomisation import (
    RandomisationError, TamperError, TrialDefinition, commit, generate_sequence, public_view,
    reveal_next, verify_reveals, verify_sequence,
)

AT = "2023-03-01T09:00:00+08:00"

definitions = st.builds(
    TrialDefinition,
    trial_id=st.just("trial-1"),
    arms=st.just(("AI", "video")) | st.just(("A", "B", "C")),
    block_multiples=st.lists(st.integers(1, 4), min_size=1, max_size=3, unique=True).map(tuple),
).map(lambda d: dataclasses.replace(d, ratio=(1,) * len(d.arms)))


def ratio_definition(ratio):
    return TrialDefinition("trial-2", ("AI", "video"), ratio=ratio, block_multiples=(1, 2))


def allocate(sealed, n, factors=None):
    log = []
    for i in range(n):
        log.append(reveal_next(sealed, log, f"P{i:03d}", "assistant", AT, factors))
    return log


@settings(max_examples=60, deadline=None)
@given(definition=definitions, n=st.integers(1, 60), seed=st.integers(0, 2**32))
def test_every_block_is_balanced_and_overall_imbalance_is_bounded(definition, n, seed):
    sealed = generate_sequence(definition, n, AT, random.Random(seed))
    blocks = Counter((s.block, s.arm) for s in sealed.slots)
    sizes = {s.block: s.block_size for s in sealed.slots}
    for block, size in sizes.items():
        assert size // len(definition.arms) in definition.block_multiples
        for arm in definition.arms:
            assert blocks[(block, arm)] == size // len(definition.arms)
    log = allocate(sealed, n)
    counts = Counter(r.arm for r in log)
    largest = max(definition.block_multiples)
    for arm in definition.arms:
        # within a block an arm can lead by at most its share of the largest block
        assert abs(counts[arm] - n / len(definition.arms)) <= largest * (len(definition.arms) - 1)


@settings(max_examples=30, deadline=None)
@given(ratio=st.sampled_from([(1, 1), (2, 1), (1, 3)]), seed=st.integers(0, 2**32))
def test_unequal_ratio_is_kept_in_every_block(ratio, seed):
    sealed = generate_sequence(ratio_definition(ratio), 40, AT, random.Random(seed))
    for block in {s.block for s in sealed.slots}:
        arms = Counter(s.arm for s in sealed.slots if s.block == block)
        multiple = sum(arms.values()) // sum(ratio)
        assert arms == Counter({"AI": ratio[0] * multiple, "video": ratio[1] * multiple})


def test_strata_get_their_own_blocks():
    definition = TrialDefinition("t", ("AI", "video"), strata={"sex": ("f", "m")})
    sealed = generate_sequence(definition, 10, AT, random.Random(3))
    assert {s.stratum for s in sealed.slots} == {"sex=f", "sex=m"}
    log = allocate(sealed, 3, {"sex": "m"})
    assert [r.position for r in log] == [1, 2, 3] and {r.stratum for r in log} == {"sex=m"}
    with pytest.raises(RandomisationError, match=r"factor 'sex' = 'x'; expected one of \['f', 'm'\]"):
        reveal_next(sealed, log, "new", "assistant", AT, {"sex": "x"})


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32), revealed=st.integers(0, 19))
def test_public_view_conceals_unrevealed_arms(seed, revealed):
    definition = TrialDefinition("trial-1", ("AI", "video"))
    sealed = generate_sequence(definition, 20, AT, random.Random(seed))
    log = allocate(sealed, revealed)
    view = repr(public_view(sealed)) + repr([r.to_dict() for r in log])
    following = sealed.slots[revealed]
    # the next slot's nonce appears nowhere staff can look, so its commitment cannot be opened ...
    assert following.nonce not in view
    # ... and trying each arm with any value the staff can see never matches it
    published = public_view(sealed)["commitments"][revealed]["commitment"]
    guesses = {r.nonce for r in log} | {""}
    for arm in definition.arms:
        for nonce in guesses:
            assert commit("trial-1", "all", revealed + 1, arm, nonce) != published


def test_block_sizes_are_not_constant_so_block_ends_are_not_predictable():
    sealed = generate_sequence(TrialDefinition("t", ("AI", "video")), 200, AT, random.Random(0))
    assert {s.block_size for s in sealed.slots} == {2, 4, 6}


def test_reveal_refuses_double_allocation_and_exhaustion():
    sealed = generate_sequence(TrialDefinition("t", ("AI", "video"), block_multiples=(1,)), 2, AT, random.Random(0))
    log = allocate(sealed, 2)
    with pytest.raises(RandomisationError, match="'P000' is already allocated"):
        reveal_next(sealed, log, "P000", "a", AT)
    with pytest.raises(RandomisationError, match="no allocation left"):
        reveal_next(sealed, log, "P009", "a", AT)


RECORD_FIELDS = ["index", "participant", "stratum", "position", "arm", "nonce", "commitment", "actor", "at", "prev_hash", "hash"]


def tampered(value):
    if isinstance(value, int):
        return value + 1
    return "video" if value == "AI" else ("AI" if value == "video" else value + "x")


@settings(max_examples=80, deadline=None)
@given(seed=st.integers(0, 2**32), n=st.integers(1, 15), data=st.data())
def test_changing_any_field_of_any_reveal_record_is_detected(seed, n, data):
    sealed = generate_sequence(TrialDefinition("trial-1", ("AI", "video")), 16, AT, random.Random(seed))
    log = allocate(sealed, n)
    public = public_view(sealed)
    verify_reveals(public, log, log[-1].hash)
    i = data.draw(st.integers(0, n - 1))
    name = data.draw(st.sampled_from(RECORD_FIELDS))
    changed = list(log)
    changed[i] = dataclasses.replace(log[i], **{name: tampered(getattr(log[i], name))})
    with pytest.raises(TamperError):
        verify_reveals(public, changed, log[-1].hash)


def test_rehashed_record_with_a_swapped_arm_is_detected_by_the_commitment():
    sealed = generate_sequence(TrialDefinition("trial-1", ("AI", "video")), 4, AT, random.Random(1))
    log = allocate(sealed, 1)
    forged = dataclasses.replace(log[0], arm=tampered(log[0].arm))
    forged = dataclasses.replace(forged, hash=forged.content_hash())
    with pytest.raises(TamperError, match="does not open the published commitment"):
        verify_reveals(public_view(sealed), [forged], forged.hash)


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**32), n=st.integers(2, 10), data=st.data())
def test_deleted_or_reordered_records_are_detected(seed, n, data):
    sealed = generate_sequence(TrialDefinition("trial-1", ("AI", "video")), 12, AT, random.Random(seed))
    log = allocate(sealed, n)
    public = public_view(sealed)
    i = data.draw(st.integers(0, n - 1))
    with pytest.raises(TamperError):
        verify_reveals(public, log[:i] + log[i + 1:], log[-1].hash)
    j = data.draw(st.integers(0, n - 2))
    swapped = list(log)
    swapped[j], swapped[j + 1] = swapped[j + 1], swapped[j]
    with pytest.raises(TamperError):
        verify_reveals(public, swapped, log[-1].hash)


SLOT_FIELDS = ["stratum", "position", "block", "block_size", "arm", "nonce"]


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**32), data=st.data())
def test_changing_any_slot_of_the_sealed_sequence_is_detected(seed, data):
    sealed = generate_sequence(TrialDefinition("trial-1", ("AI", "video")), 10, AT, random.Random(seed))
    published = sealed.seal
    verify_sequence(sealed, published)
    i = data.draw(st.integers(0, len(sealed.slots) - 1))
    name = data.draw(st.sampled_from(SLOT_FIELDS))
    slots = list(sealed.slots)
    slots[i] = dataclasses.replace(slots[i], **{name: tampered(getattr(slots[i], name))})
    with pytest.raises(TamperError):
        verify_sequence(dataclasses.replace(sealed, slots=tuple(slots)), published)


def test_resealing_a_changed_sequence_is_caught_by_the_published_seal():
    sealed = generate_sequence(TrialDefinition("trial-1", ("AI", "video")), 4, AT, random.Random(2))
    from backcoach.trial.randomisation import compute_seal
    slots = list(sealed.slots)
    slots[0] = dataclasses.replace(slots[0], arm=tampered(slots[0].arm))
    forged = dataclasses.replace(sealed, slots=tuple(slots), seal=compute_seal(sealed.definition, slots, AT))
    with pytest.raises(TamperError, match="differs from the published seal"):
        verify_sequence(forged, sealed.seal)


@pytest.mark.parametrize("kwargs, message", [
    pytest.param({"arms": ("AI",)}, "must be 2 or more distinct", id="one-arm"),
    pytest.param({"arms": ("AI", "AI")}, "must be 2 or more distinct", id="duplicate-arm"),
    pytest.param({"arms": ("AI", "video"), "ratio": (1, 0)}, r"ratio \[1, 0\] must give one whole number", id="zero-ratio"),
    pytest.param({"arms": ("AI", "video"), "block_multiples": (0,)}, "block multiples", id="zero-block"),
])
def test_bad_definitions_are_refused(kwargs, message):
    with pytest.raises(RandomisationError, match=message):
        TrialDefinition("t", **kwargs)
