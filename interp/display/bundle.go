package display

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"image"
	_ "image/jpeg" // for image.DecodeConfig
	_ "image/png"  // for image.DecodeConfig
)

// The bundle builders below give every bundle a text/plain fallback: the
// source for HTML and Markdown, and a short placeholder for images.

func textBundle(s string) Bundle { return Bundle{"text/plain": s} }

func htmlBundle(s string) Bundle { return Bundle{"text/html": s, "text/plain": s} }

func markdownBundle(s string) Bundle { return Bundle{"text/markdown": s, "text/plain": s} }

func svgBundle(s string) Bundle {
	return Bundle{"image/svg+xml": s, "text/plain": fmt.Sprintf("[SVG image, %d bytes]", len(s))}
}

// imageBundle encodes data, an image of the given MIME type, and describes
// it by its size when it decodes.
func imageBundle(mime, name string, data []byte) Bundle {
	text := fmt.Sprintf("[%s image, %d bytes]", name, len(data))
	if cfg, _, err := image.DecodeConfig(bytes.NewReader(data)); err == nil {
		text = fmt.Sprintf("[%s image %dx%d]", name, cfg.Width, cfg.Height)
	}
	return Bundle{mime: base64.StdEncoding.EncodeToString(data), "text/plain": text}
}

// jsonBundle turns v into plain JSON values (maps, slices, strings, float64,
// bool and nil), so that any Publisher can encode it.
func jsonBundle(v any) Bundle {
	data, err := json.Marshal(v)
	if err != nil {
		return textBundle(fmt.Sprintf("display.JSON: %v", err))
	}
	var plain any
	if err := json.Unmarshal(data, &plain); err != nil {
		return textBundle(fmt.Sprintf("display.JSON: %v", err))
	}
	var indented bytes.Buffer
	if err := json.Indent(&indented, data, "", "  "); err != nil {
		return textBundle(fmt.Sprintf("display.JSON: %v", err))
	}
	return Bundle{"application/json": plain, "text/plain": indented.String()}
}
