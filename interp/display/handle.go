package display

import (
	"sync"

	"github.com/google/uuid"
)

// A Handle is one display that can be replaced in place. The first call of
// any of its showing methods shows a new display; each later call replaces
// that display's content. The zero Handle is ready to use, and gets its id
// when first used. A Handle is safe for concurrent use.
type Handle struct {
	mu    sync.Mutex
	id    string
	shown bool
}

// NewHandle returns a Handle with a new random id.
func NewHandle() *Handle { return &Handle{id: uuid.NewString()} }

// ID returns the handle's display id.
func (h *Handle) ID() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.idLocked()
}

func (h *Handle) idLocked() string {
	if h.id == "" {
		h.id = uuid.NewString()
	}
	return h.id
}

// Show displays b, or replaces the handle's display with it.
func (h *Handle) Show(b Bundle) {
	h.mu.Lock()
	defer h.mu.Unlock()
	id := h.idLocked()
	kind := KindUpdate
	if !h.shown {
		kind = KindDisplay
		h.shown = true
	}
	// Publishing under the lock keeps the display before its updates.
	publish(kind, b, nil, id)
}

// HTML shows s as HTML in the handle's display.
func (h *Handle) HTML(s string) { h.Show(htmlBundle(s)) }

// Markdown shows s as Markdown in the handle's display.
func (h *Handle) Markdown(s string) { h.Show(markdownBundle(s)) }

// SVG shows s, an SVG document, in the handle's display.
func (h *Handle) SVG(s string) { h.Show(svgBundle(s)) }

// PNG shows data, a PNG file's contents, in the handle's display.
func (h *Handle) PNG(data []byte) { h.Show(imageBundle("image/png", "PNG", data)) }

// JPEG shows data, a JPEG file's contents, in the handle's display.
func (h *Handle) JPEG(data []byte) { h.Show(imageBundle("image/jpeg", "JPEG", data)) }

// JSON shows v, encoded with encoding/json, in the handle's display.
func (h *Handle) JSON(v any) { h.Show(jsonBundle(v)) }

// Text shows s as plain text in the handle's display.
func (h *Handle) Text(s string) { h.Show(textBundle(s)) }
