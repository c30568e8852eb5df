// Genlogo draws the gokernel logos: logo-32x32.png, logo-64x64.png and
// logo-svg.svg. The kernelspec package runs it through go:generate:
//
//	go run ./internal/genlogo [-dir DIR]
//
// The logo is a rounded square in Go's cyan with the letters "Go" in white.
// Both letters are built from circular strokes and one bar, described once in
// resolution-independent units (the logo is 1×1), so the PNGs and the SVG
// show the same picture.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"log"
	"math"
	"os"
	"path/filepath"
)

// The design, in units of the logo's side.
const (
	cornerRadius = 0.18
	stroke       = 0.085 // width of the letters' strokes

	// "G": a ring open at its upper right, from gAngle down to 0 degrees,
	// plus a bar from the middle to the right edge.
	gX, gY, gR = 0.34, 0.5, 0.23 // centre and outer radius
	gAngle     = 50.0            // degrees; the gap spans 0..gAngle
	barLeft    = 0.36            // left end of the bar, on the x axis

	// "o": a full ring sitting on the G's baseline.
	oX, oR = 0.74, 0.155
	oY     = gY + gR - oR
)

var (
	cyan  = color.NRGBA{0x00, 0xAD, 0xD8, 0xFF}
	white = color.NRGBA{0xFF, 0xFF, 0xFF, 0xFF}
)

func main() {
	log.SetFlags(0)
	log.SetPrefix("genlogo: ")
	dir := flag.String("dir", ".", "write the logos into `DIR`")
	flag.Parse()
	if err := writeAll(*dir); err != nil {
		log.Fatal(err)
	}
}

// writeAll writes every logo file into dir.
func writeAll(dir string) error {
	files, err := render()
	if err != nil {
		return err
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// render returns the contents of each logo file, by file name.
func render() (map[string][]byte, error) {
	files := map[string][]byte{"logo-svg.svg": svg()}
	for _, size := range []int{32, 64} {
		var buf bytes.Buffer
		if err := png.Encode(&buf, raster(size)); err != nil {
			return nil, fmt.Errorf("encode %dx%d: %w", size, size, err)
		}
		files[fmt.Sprintf("logo-%dx%d.png", size, size)] = buf.Bytes()
	}
	return files, nil
}

// inBackground reports whether the point (x, y) lies on the rounded square.
func inBackground(x, y float64) bool {
	if x < 0 || x > 1 || y < 0 || y > 1 {
		return false
	}
	// Distance from the nearest corner centre, when in a corner region.
	cx := math.Min(math.Max(x, cornerRadius), 1-cornerRadius)
	cy := math.Min(math.Max(y, cornerRadius), 1-cornerRadius)
	return math.Hypot(x-cx, y-cy) <= cornerRadius
}

// inLetters reports whether the point (x, y) lies on the letters "Go".
// The y axis points down, as in images.
func inLetters(x, y float64) bool {
	// G's ring, without the gap at the upper right.
	if d := math.Hypot(x-gX, y-gY); d <= gR && d >= gR-stroke {
		deg := math.Atan2(gY-y, x-gX) * 180 / math.Pi // counterclockwise, y up
		if deg < 0 || deg > gAngle {
			return true
		}
	}
	// G's bar, hanging below the middle line.
	if x >= barLeft && x <= gX+gR && y >= gY && y <= gY+stroke {
		return true
	}
	// o's ring.
	d := math.Hypot(x-oX, y-oY)
	return d <= oR && d >= oR-stroke
}

// raster draws the logo at size×size pixels, anti-aliased by taking n×n
// samples in each pixel.
func raster(size int) *image.NRGBA {
	const n = 8
	img := image.NewNRGBA(image.Rect(0, 0, size, size))
	for py := range size {
		for px := range size {
			var bg, fg int
			for sy := range n {
				for sx := range n {
					x := (float64(px) + (float64(sx)+0.5)/n) / float64(size)
					y := (float64(py) + (float64(sy)+0.5)/n) / float64(size)
					if inBackground(x, y) {
						bg++
						if inLetters(x, y) {
							fg++
						}
					}
				}
			}
			if bg == 0 {
				continue // transparent
			}
			// Blend white over cyan by letter coverage; alpha is the
			// square's coverage.
			t := float64(fg) / float64(bg)
			mix := func(a, b uint8) uint8 {
				return uint8(math.Round(float64(a)*(1-t) + float64(b)*t))
			}
			img.SetNRGBA(px, py, color.NRGBA{
				R: mix(cyan.R, white.R),
				G: mix(cyan.G, white.G),
				B: mix(cyan.B, white.B),
				A: uint8(math.Round(255 * float64(bg) / (n * n))),
			})
		}
	}
	return img
}

// svg draws the logo as an SVG document on a 64×64 canvas.
func svg() []byte {
	const s = 64.0           // canvas size; the design's units are multiplied by it
	r := (gR - stroke/2) * s // radius of the strokes' centre lines
	rad := gAngle * math.Pi / 180
	var b bytes.Buffer
	fmt.Fprintf(&b, `<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64" viewBox="0 0 64 64">
  <title>Go (gokernel)</title>
  <rect width="64" height="64" rx="%.2f" fill="#00ADD8"/>
  <g fill="none" stroke="#FFFFFF" stroke-width="%.2f">
    <path d="M %.2f %.2f A %.2f %.2f 0 1 0 %.2f %.2f"/>
    <circle cx="%.2f" cy="%.2f" r="%.2f"/>
  </g>
  <rect x="%.2f" y="%.2f" width="%.2f" height="%.2f" fill="#FFFFFF"/>
</svg>
`,
		cornerRadius*s, stroke*s,
		gX*s+r*math.Cos(rad), gY*s-r*math.Sin(rad), r, r, gX*s+r, gY*s,
		oX*s, oY*s, (oR-stroke/2)*s,
		barLeft*s, gY*s, (gX+gR-barLeft)*s, stroke*s)
	return b.Bytes()
}
