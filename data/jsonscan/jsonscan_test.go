package jsonscan

import (
	"encoding/json"
	"strings"
	"testing"
)

// FuzzSkip: Skip and End accept exactly what encoding/json's Valid
// accepts (nested no deeper than MaxDepth).
func FuzzSkip(f *testing.F) {
	for _, s := range []string{`{"a":[1,-2.5e3,"x\u00e4\n",true,false,null,{}]}`, `[ 1 , 2 ]`, `"\ud83d"`, `01`, `{"a" 1}`, `1.`, `-`, `[1,]`, `"a` + "\x01" + `"`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if strings.Count(string(b), "[")+strings.Count(string(b), "{") > MaxDepth {
			return
		}
		s := New(b)
		_, err := s.Skip()
		if err == nil {
			err = s.End()
		}
		if valid := json.Valid(b); valid != (err == nil) {
			t.Fatalf("%q: Valid %v, scanner %v", b, valid, err)
		}
	})
}

func TestUint(t *testing.T) {
	for in, want := range map[string]bool{"0": true, "18446744073709551615": true, "18446744073709551616": false, "01": false, "1.0": false, "1e3": false, "-1": false, `"1"`: false} {
		_, err := New([]byte(in)).Uint()
		if (err == nil) != want {
			t.Errorf("%s: err %v", in, err)
		}
	}
}
