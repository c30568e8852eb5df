// Package display shows rich output (HTML, Markdown, images, JSON) from Go
// code in a notebook cell:
//
//	import "github.com/beacceaf/gokernel/interp/display"
//
//	display.HTML("<b>bold</b>")
//	display.PNG(pngBytes)
//
// Each function sends a MIME bundle, data keyed by MIME type, to the current
// [Publisher]. Inside gokernel the worker installs a Publisher that forwards
// bundles to the notebook. In a plain Go program the default Publisher
// prints each bundle's text/plain form to standard output, so code that
// uses this package also runs outside Jupyter.
//
// # Updating a display
//
// A [Handle] names one display. Its first call shows the output, and later
// calls replace it in place, which suits progress bars and live tables:
//
//	h := display.NewHandle()
//	for i := range 10 {
//		h.Text(fmt.Sprintf("step %d of 10", i+1))
//	}
//
// Everything in the package is safe for concurrent use.
//
// # Files
//
//   - display.go: Bundle, Publisher and the package-level functions.
//   - handle.go: Handle, for displays that are updated.
//   - bundle.go: how each function builds its bundle and text fallback.
package display
