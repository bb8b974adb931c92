import pytest

from orbita_gui.core import FRAME_SIZE, AddressOverflowError, Frame, PhysAddr, align_up


def test_phys_addr_new_and_as_u64():
    assert PhysAddr.new(0x1234).as_u64() == 0x1234


def test_align_down_and_up_to_frames():
    assert PhysAddr(0x1FFF).align_down() == PhysAddr(0x1000)
    assert PhysAddr(0x1001).align_up() == PhysAddr(0x2000)
    assert PhysAddr(0x2000).align_up() == PhysAddr(0x2000)
    assert PhysAddr(0x2000).align_down() == PhysAddr(0x2000)


def test_as_frame_number():
    assert PhysAddr(0).as_frame_number() == 0
    assert PhysAddr(FRAME_SIZE * 7 + 5).as_frame_number() == 7


def test_adding_an_int_and_ordering():
    a = PhysAddr(0x1000)
    assert a + FRAME_SIZE == PhysAddr(0x2000)
    assert a < a + 1 and a + 1 > a and a <= a and a >= a
    assert len({a, PhysAddr(0x1000)}) == 1


@pytest.mark.parametrize("value", [-1, 1 << 64])
def test_addresses_outside_64_bits_are_refused(value):
    with pytest.raises(AddressOverflowError, match="64 bits"):
        PhysAddr(value)


def test_adding_past_the_top_of_memory_is_refused():
    with pytest.raises(AddressOverflowError):
        PhysAddr((1 << 64) - 1) + 1


def test_frame_contains_is_half_open():
    frame = Frame(PhysAddr(0x3000))
    assert frame.contains(PhysAddr(0x3000))
    assert frame.contains(PhysAddr(0x3FFF))
    assert not frame.contains(PhysAddr(0x4000))
    assert not frame.contains(PhysAddr(0x2FFF))


def test_the_last_frame_of_the_address_space_contains_its_last_byte():
    top = PhysAddr((1 << 64) - 1)
    assert Frame.containing_address(top).contains(top)


def test_containing_address_and_numbers():
    frame = Frame.containing_address(PhysAddr(0x5ABC))
    assert frame == Frame(PhysAddr(0x5000)) == Frame.from_number(5)
    assert frame.number == 5
    assert repr(frame) == "Frame(0x5000)"


def test_align_up():
    assert align_up(0, 8) == 0
    assert align_up(1, 8) == 8
    assert align_up(17, 16) == 32
    assert align_up(4096, 4096) == 4096
