package display

import (
	"fmt"
	"os"
	"sort"
	"strings"
	"sync"
)

// Bundle is a MIME bundle: data keyed by MIME type. Text types hold a
// string, images a base64-encoded string, and application/json any JSON
// value.
type Bundle map[string]any

// The kinds of message a Publisher receives.
const (
	KindDisplay = "display" // show a new display
	KindUpdate  = "update"  // replace the display with the given id
	KindClear   = "clear"   // clear the cell's output
)

// A Publisher delivers displays. Publish is called with kind KindDisplay to
// show b, KindUpdate to replace the display whose id is id, and KindClear to
// clear the output, where b is nil and id is "wait" (clear when new output
// arrives) or "". For KindDisplay, id is empty unless the display may be
// updated later. A Publisher must be safe for concurrent use.
type Publisher interface {
	Publish(kind string, b Bundle, metadata map[string]any, id string)
}

var (
	mu        sync.RWMutex
	publisher Publisher = textPublisher{}
)

// SetPublisher makes p receive every later display. A nil p restores the
// default, which prints each bundle's text/plain form to os.Stdout.
func SetPublisher(p Publisher) {
	if p == nil {
		p = textPublisher{}
	}
	mu.Lock()
	publisher = p
	mu.Unlock()
}

func publish(kind string, b Bundle, metadata map[string]any, id string) {
	mu.RLock()
	p := publisher
	mu.RUnlock()
	p.Publish(kind, b, metadata, id)
}

// HTML displays s as HTML.
func HTML(s string) { publish(KindDisplay, htmlBundle(s), nil, "") }

// Markdown displays s as Markdown.
func Markdown(s string) { publish(KindDisplay, markdownBundle(s), nil, "") }

// SVG displays s, an SVG document, as an image.
func SVG(s string) { publish(KindDisplay, svgBundle(s), nil, "") }

// PNG displays data, a PNG file's contents, as an image.
func PNG(data []byte) { publish(KindDisplay, imageBundle("image/png", "PNG", data), nil, "") }

// JPEG displays data, a JPEG file's contents, as an image.
func JPEG(data []byte) { publish(KindDisplay, imageBundle("image/jpeg", "JPEG", data), nil, "") }

// JSON displays v, encoded with encoding/json, as an interactive JSON tree.
// When v cannot be encoded, the error is displayed as text instead.
func JSON(v any) { publish(KindDisplay, jsonBundle(v), nil, "") }

// Text displays s as plain text.
func Text(s string) { publish(KindDisplay, textBundle(s), nil, "") }

// Show displays an arbitrary bundle. Front ends show the richest type they
// support; include "text/plain" as a fallback.
func Show(b Bundle) { publish(KindDisplay, b, nil, "") }

// ClearOutput clears the output of the running cell. With wait, the old
// output stays until new output arrives, which avoids flicker.
func ClearOutput(wait bool) {
	id := ""
	if wait {
		id = "wait"
	}
	publish(KindClear, nil, nil, id)
}

// textPublisher is the default Publisher. It prints each displayed or
// updated bundle's text/plain form, or a placeholder naming its MIME types,
// as a line on os.Stdout (as it is at that moment, so that tests can
// capture it). It ignores clears.
type textPublisher struct{}

var textMu sync.Mutex // serialises textPublisher's writes

func (textPublisher) Publish(kind string, b Bundle, _ map[string]any, _ string) {
	if kind == KindClear {
		return
	}
	text, ok := b["text/plain"].(string)
	if !ok {
		types := make([]string, 0, len(b))
		for t := range b {
			types = append(types, t)
		}
		sort.Strings(types)
		text = "[" + strings.Join(types, ", ") + "]"
	}
	textMu.Lock()
	defer textMu.Unlock()
	fmt.Fprintln(os.Stdout, strings.TrimSuffix(text, "\n"))
}
