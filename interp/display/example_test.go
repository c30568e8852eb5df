package display_test

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"sort"
	"strings"

	"github.com/beacceaf/gokernel/interp/display"
)

// These examples run with the default Publisher, which prints the text/plain
// form of each display: in a notebook the same calls show rich output.

func ExampleHTML() {
	display.HTML("<b>Hello</b>, <i>world</i>")
	// Output: <b>Hello</b>, <i>world</i>
}

func ExampleMarkdown() {
	display.Markdown("# Results\n\n| n | n² |\n|---|----|\n| 3 | 9 |")
	// Output:
	// # Results
	//
	// | n | n² |
	// |---|----|
	// | 3 | 9 |
}

func ExampleSVG() {
	display.SVG(`<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><circle cx="5" cy="5" r="4"/></svg>`)
	// Output: [SVG image, 98 bytes]
}

// smallImage returns a 3×2 image with a red pixel.
func smallImage() image.Image {
	img := image.NewRGBA(image.Rect(0, 0, 3, 2))
	img.Set(1, 1, color.RGBA{R: 255, A: 255})
	return img
}

func ExamplePNG() {
	var buf bytes.Buffer
	if err := png.Encode(&buf, smallImage()); err != nil {
		panic(err)
	}
	display.PNG(buf.Bytes())
	// Output: [PNG image 3x2]
}

func ExampleJPEG() {
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, smallImage(), nil); err != nil {
		panic(err)
	}
	display.JPEG(buf.Bytes())
	// Output: [JPEG image 3x2]
}

func ExampleJSON() {
	type point struct {
		X, Y int
	}
	display.JSON(map[string]any{"name": "origin", "at": point{0, 0}})
	// Output:
	// {
	//   "at": {
	//     "X": 0,
	//     "Y": 0
	//   },
	//   "name": "origin"
	// }
}

func ExampleText() {
	display.Text("plain text, shown as is")
	// Output: plain text, shown as is
}

func ExampleShow() {
	display.Show(display.Bundle{
		"text/latex": `$\sqrt{2}$`,
		"text/plain": "√2",
	})
	// Output: √2
}

// This example shows a bundle without a text/plain fallback: the default
// Publisher prints its MIME types.
func ExampleShow_noText() {
	display.Show(display.Bundle{"text/latex": `$\sqrt{2}$`, "image/gif": "R0lGODlh"})
	// Output: [image/gif, text/latex]
}

func ExampleClearOutput() {
	display.Text("old output")
	display.ClearOutput(true) // the default Publisher cannot clear: it prints nothing
	display.Text("new output")
	// Output:
	// old output
	// new output
}

// logPublisher prints what it is asked to publish. A real Publisher, such as
// the one gokernel's worker installs, sends it to the notebook instead.
type logPublisher struct{}

func (logPublisher) Publish(kind string, b display.Bundle, metadata map[string]any, id string) {
	types := make([]string, 0, len(b))
	for t := range b {
		types = append(types, t)
	}
	sort.Strings(types)
	if id != "" && id != "wait" {
		id = "ID" // random: hide it
	}
	fmt.Printf("%s %q id=%q\n", kind, types, id)
}

func ExampleSetPublisher() {
	display.SetPublisher(logPublisher{})
	defer display.SetPublisher(nil) // restore the default

	display.HTML("<p>hi</p>")
	display.ClearOutput(true)
	h := display.NewHandle()
	h.Text("1 of 2")
	h.Text("2 of 2")
	// Output:
	// display ["text/html" "text/plain"] id=""
	// clear [] id="wait"
	// display ["text/plain"] id="ID"
	// update ["text/plain"] id="ID"
}

func ExampleNewHandle() {
	h := display.NewHandle()
	for i := range 3 {
		h.Text(fmt.Sprintf("step %d of 3", i+1))
	}
	// Output:
	// step 1 of 3
	// step 2 of 3
	// step 3 of 3
}

func ExampleHandle_ID() {
	a, b := display.NewHandle(), display.NewHandle()
	fmt.Println(len(a.ID()), a.ID() == b.ID())
	// Output: 36 false
}

func ExampleHandle_HTML() {
	h := display.NewHandle()
	h.HTML("<progress value=0 max=2></progress>")
	h.HTML("<progress value=2 max=2></progress>")
	// Output:
	// <progress value=0 max=2></progress>
	// <progress value=2 max=2></progress>
}

func ExampleHandle_Markdown() {
	h := display.NewHandle()
	h.Markdown("*running*")
	h.Markdown("**done**")
	// Output:
	// *running*
	// **done**
}

func ExampleHandle_SVG() {
	h := display.NewHandle()
	h.SVG(`<svg xmlns="http://www.w3.org/2000/svg"/>`)
	// Output: [SVG image, 41 bytes]
}

func ExampleHandle_PNG() {
	var buf bytes.Buffer
	if err := png.Encode(&buf, smallImage()); err != nil {
		panic(err)
	}
	h := display.NewHandle()
	h.PNG(buf.Bytes())
	// Output: [PNG image 3x2]
}

func ExampleHandle_JPEG() {
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, smallImage(), nil); err != nil {
		panic(err)
	}
	h := display.NewHandle()
	h.JPEG(buf.Bytes())
	// Output: [JPEG image 3x2]
}

func ExampleHandle_JSON() {
	h := display.NewHandle()
	h.JSON([]int{1, 2})
	h.JSON([]int{1, 2, 3})
	// Output:
	// [
	//   1,
	//   2
	// ]
	// [
	//   1,
	//   2,
	//   3
	// ]
}

func ExampleHandle_Text() {
	h := display.NewHandle()
	h.Text(strings.Repeat("#", 2))
	h.Text(strings.Repeat("#", 4))
	// Output:
	// ##
	// ####
}

func ExampleHandle_Show() {
	h := display.NewHandle()
	h.Show(display.Bundle{"text/html": "<meter value=0.5></meter>", "text/plain": "50%"})
	h.Show(display.Bundle{"text/html": "<meter value=1></meter>", "text/plain": "100%"})
	// Output:
	// 50%
	// 100%
}
