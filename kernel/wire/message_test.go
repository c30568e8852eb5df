package wire

import (
	"encoding/json"
	"regexp"
	"testing"
	"time"
)

// isoDate is jupyter_client's ISO8601 pattern (jsonutil.ISO8601_PAT), with
// the timezone made mandatory.
var isoDate = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}:?\d{2})$`)

func TestNewHeader(t *testing.T) {
	before := time.Now().Add(-time.Second)
	h := NewHeader("execute_request", "sess", "me")
	after := time.Now().Add(time.Second)

	if h.MsgType != "execute_request" || h.Session != "sess" || h.Username != "me" || h.Version != "5.3" {
		t.Errorf("unexpected header %+v", h)
	}
	if !isoDate.MatchString(h.Date) {
		t.Errorf("date %q is not ISO 8601 with timezone and at most 6 fractional digits", h.Date)
	}
	d, err := time.Parse(time.RFC3339Nano, h.Date)
	if err != nil {
		t.Fatalf("parse date: %v", err)
	}
	if d.Before(before) || d.After(after) {
		t.Errorf("date %v not near now", d)
	}
	if _, off := d.Zone(); off != 0 {
		t.Errorf("date %q is not UTC", h.Date)
	}
}

func TestNewHeaderUniqueIDs(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		id := NewHeader("x", "s", "u").MsgID
		if id == "" || seen[id] {
			t.Fatalf("msg_id %q empty or repeated", id)
		}
		seen[id] = true
	}
}

func TestHeaderJSON(t *testing.T) {
	h := Header{MsgID: "1", Session: "s", Username: "u", Date: "d", MsgType: "t", Version: "5.3"}
	b, err := json.Marshal(h)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"msg_id":"1","session":"s","username":"u","date":"d","msg_type":"t","version":"5.3"}`
	if string(b) != want {
		t.Errorf("got %s, want %s", b, want)
	}
}

func TestParentHeader(t *testing.T) {
	tests := []struct {
		name    string
		parent  string
		want    Header
		wantErr bool
	}{
		{"empty", "", Header{}, false},
		{"empty object", "{}", Header{}, false},
		{"full", `{"msg_id":"p","msg_type":"execute_request","session":"s","extra":1}`, Header{MsgID: "p", MsgType: "execute_request", Session: "s"}, false},
		{"bad", `[1]`, Header{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := &Message{Parent: json.RawMessage(tt.parent)}
			got, err := m.ParentHeader()
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tt.wantErr)
			}
			if got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

type panicky struct{}

func (panicky) MarshalJSON() ([]byte, error) { panic("boom") }

func TestNewContent(t *testing.T) {
	tests := []struct {
		name string
		v    any
		want string
	}{
		{"map", map[string]any{"a": 1}, `{"a":1}`},
		{"struct", struct {
			Code string `json:"code"`
		}{"x"}, `{"code":"x"}`},
		{"nil", nil, `{}`},
		{"nil map", map[string]any(nil), `{}`},
		{"unmarshallable", map[string]any{"f": func() {}}, `{}`},
		{"panicking marshaller", panicky{}, `{}`},
		{"raw", json.RawMessage(`{"z":true}`), `{"z":true}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := string(NewContent(tt.v)); got != tt.want {
				t.Errorf("NewContent = %s, want %s", got, tt.want)
			}
		})
	}
}
