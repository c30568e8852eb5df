package display_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"image"
	"image/png"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/beacceaf/gokernel/interp/display"
)

type published struct {
	kind     string
	bundle   display.Bundle
	metadata map[string]any
	id       string
}

// recorder is a Publisher that records what it receives.
type recorder struct {
	mu   sync.Mutex
	msgs []published
}

func (r *recorder) Publish(kind string, b display.Bundle, metadata map[string]any, id string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.msgs = append(r.msgs, published{kind, b, metadata, id})
}

func (r *recorder) all() []published {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]published(nil), r.msgs...)
}

// record installs a recorder for the rest of the test.
func record(t *testing.T) *recorder {
	t.Helper()
	r := &recorder{}
	display.SetPublisher(r)
	t.Cleanup(func() { display.SetPublisher(nil) })
	return r
}

func pngBytes(t *testing.T, w, h int) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewGray(image.Rect(0, 0, w, h))); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestBundles(t *testing.T) {
	img := pngBytes(t, 4, 5)
	b64 := base64.StdEncoding.EncodeToString(img)
	tests := []struct {
		name string
		call func()
		want display.Bundle
	}{
		{"HTML", func() { display.HTML("<b>x</b>") },
			display.Bundle{"text/html": "<b>x</b>", "text/plain": "<b>x</b>"}},
		{"Markdown", func() { display.Markdown("*x*") },
			display.Bundle{"text/markdown": "*x*", "text/plain": "*x*"}},
		{"SVG", func() { display.SVG("<svg/>") },
			display.Bundle{"image/svg+xml": "<svg/>", "text/plain": "[SVG image, 6 bytes]"}},
		{"PNG", func() { display.PNG(img) },
			display.Bundle{"image/png": b64, "text/plain": "[PNG image 4x5]"}},
		{"PNG that does not decode", func() { display.PNG([]byte("nope")) },
			display.Bundle{"image/png": "bm9wZQ==", "text/plain": "[PNG image, 4 bytes]"}},
		{"JPEG", func() { display.JPEG([]byte("nope")) },
			display.Bundle{"image/jpeg": "bm9wZQ==", "text/plain": "[JPEG image, 4 bytes]"}},
		{"JSON", func() { display.JSON(struct{ A []int }{[]int{1}}) },
			display.Bundle{
				"application/json": map[string]any{"A": []any{1.0}},
				"text/plain":       "{\n  \"A\": [\n    1\n  ]\n}",
			}},
		{"JSON that cannot be encoded", func() { display.JSON(make(chan int)) },
			display.Bundle{"text/plain": "display.JSON: json: unsupported type: chan int"}},
		{"Text", func() { display.Text("x") }, display.Bundle{"text/plain": "x"}},
		{"Show", func() { display.Show(display.Bundle{"text/x-y": "z"}) }, display.Bundle{"text/x-y": "z"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := record(t)
			tc.call()
			got := r.all()
			want := []published{{kind: "display", bundle: tc.want}}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("published %#v\nwant %#v", got, want)
			}
		})
	}
}

// TestJSONBundleEncodes checks that application/json holds plain JSON
// values, which any Publisher can encode.
func TestJSONBundleEncodes(t *testing.T) {
	r := record(t)
	type inner struct {
		B []byte `json:"b"`
	}
	display.JSON(map[string]any{"inner": inner{B: []byte("hi")}, "n": 3})
	msgs := r.all()
	if len(msgs) != 1 {
		t.Fatalf("published %d messages, want 1", len(msgs))
	}
	data, err := json.Marshal(msgs[0].bundle)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"application/json":{"inner":{"b":"aGk="},"n":3},"text/plain":"{\n  \"inner\": {\n    \"b\": \"aGk=\"\n  },\n  \"n\": 3\n}"}`
	if string(data) != want {
		t.Errorf("bundle encodes as\n%s\nwant\n%s", data, want)
	}
}

func TestClearOutput(t *testing.T) {
	r := record(t)
	display.ClearOutput(true)
	display.ClearOutput(false)
	want := []published{{kind: "clear", id: "wait"}, {kind: "clear", id: ""}}
	if got := r.all(); !reflect.DeepEqual(got, want) {
		t.Errorf("published %#v\nwant %#v", got, want)
	}
}

func TestHandle(t *testing.T) {
	r := record(t)
	h := display.NewHandle()
	h.HTML("<i>1</i>")
	h.Markdown("2")
	h.Text("3")
	h.SVG("<svg/>")
	h.PNG(pngBytes(t, 1, 1))
	h.JPEG(nil)
	h.JSON(6)
	h.Show(display.Bundle{"text/plain": "7"})
	other := display.NewHandle()
	other.Text("other")

	got := r.all()
	wantKinds := []string{"display", "update", "update", "update", "update", "update", "update", "update", "display"}
	if len(got) != len(wantKinds) {
		t.Fatalf("published %d messages, want %d: %#v", len(got), len(wantKinds), got)
	}
	for i, m := range got[:8] {
		if m.kind != wantKinds[i] || m.id != h.ID() {
			t.Errorf("message %d: kind %q id %q, want %q id %q", i, m.kind, m.id, wantKinds[i], h.ID())
		}
	}
	if m := got[8]; m.kind != "display" || m.id != other.ID() || m.id == h.ID() {
		t.Errorf("other handle published kind %q id %q, want display with id %q (not %q)", m.kind, m.id, other.ID(), h.ID())
	}
	if v := got[6].bundle["application/json"]; v != 6.0 {
		t.Errorf("h.JSON(6) published application/json %#v, want 6.0", v)
	}
}

func TestZeroHandle(t *testing.T) {
	r := record(t)
	var h display.Handle
	id := h.ID()
	if id == "" {
		t.Fatal("zero Handle has an empty ID")
	}
	h.Text("a")
	h.Text("b")
	got := r.all()
	if len(got) != 2 || got[0].kind != "display" || got[1].kind != "update" || got[0].id != id || got[1].id != id {
		t.Errorf("published %#v, want a display and an update with id %q", got, id)
	}
}

// TestConcurrentHandle runs many writers on one handle: exactly one of them
// displays, before any update. Run it with -race.
func TestConcurrentHandle(t *testing.T) {
	r := record(t)
	h := display.NewHandle()
	const n = 50
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			h.Text(strings.Repeat("x", i))
			display.Text("unrelated")
		}()
	}
	// Swapping publishers while others publish must be safe too.
	display.SetPublisher(r)
	wg.Wait()

	var handleMsgs []published
	for _, m := range r.all() {
		if m.id == h.ID() {
			handleMsgs = append(handleMsgs, m)
		}
	}
	if len(handleMsgs) != n {
		t.Fatalf("handle published %d messages, want %d", len(handleMsgs), n)
	}
	if handleMsgs[0].kind != "display" {
		t.Errorf("first message is %q, want display", handleMsgs[0].kind)
	}
	for i, m := range handleMsgs[1:] {
		if m.kind != "update" {
			t.Errorf("message %d is %q, want update", i+1, m.kind)
		}
	}
}
