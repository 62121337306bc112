package cache

// keyTable finds a JSON object key among a fixed few (a row schema's
// fields, the packed keys) by a look at three of its bytes and its
// length, then one comparison: a map hashed every key of every row of a
// first sync, about 7 % of its CPU (issue 9).
type keyTable[V any] struct {
	slots [keySlots]keySlot[V]
	n     int
}

type keySlot[V any] struct {
	name string
	v    V
	used bool
}

// keySlots is a power of two well above the keys of any table, so that
// a probe ends soon.
const keySlots = 128

func keySlotOf(key []byte) int {
	n := len(key)
	return (n*37 + int(key[0])*7 + int(key[n/2])*3 + int(key[n-1])) & (keySlots - 1)
}

// add puts name (not empty, not there yet) with v; the table may hold at
// most a quarter of keySlots.
func (t *keyTable[V]) add(name string, v V) {
	if name == "" || t.n >= keySlots/4 {
		panic("cache: key table: empty key or too many keys")
	}
	i := keySlotOf([]byte(name))
	for ; t.slots[i].used; i = (i + 1) & (keySlots - 1) {
		if t.slots[i].name == name {
			panic("cache: key table: " + name + " twice")
		}
	}
	t.slots[i] = keySlot[V]{name: name, v: v, used: true}
	t.n++
}

// get finds key.
func (t *keyTable[V]) get(key []byte) (v V, ok bool) {
	if len(key) == 0 {
		return v, false
	}
	for i := keySlotOf(key); t.slots[i].used; i = (i + 1) & (keySlots - 1) {
		if t.slots[i].name == string(key) {
			return t.slots[i].v, true
		}
	}
	return v, false
}
