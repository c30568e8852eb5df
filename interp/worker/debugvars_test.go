package worker

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"image"
	"image/png"
	"reflect"
	"strings"
	"testing"

	"github.com/beacceaf/gokernel/interp/display"
)

func TestShowAndParts(t *testing.T) {
	type point struct{ X, Y int }
	n := 7
	var nilPtr *point
	var iface any = point{1, 2}
	for _, tc := range []struct {
		name  string
		v     any
		show  string
		typ   string
		parts []string // name=shown of each part; nil when none
	}{
		{"int", 42, "42", "int", nil},
		{"string", "a\"b", `"a\"b"`, "string", nil},
		{"struct", point{1, 2}, "{1 2}", "worker.point", []string{"X=1", "Y=2"}},
		{"empty struct", struct{}{}, "{}", "struct {}", nil},
		{"slice", []int{7, 8}, "[7 8]", "[]int", []string{"[0]=7", "[1]=8"}},
		{"empty slice", []int{}, "[]", "[]int", nil},
		{"map", map[string]int{"b": 2, "a": 1}, "map[a:1 b:2]", "map[string]int", []string{`["a"]=1`, `["b"]=2`}},
		{"pointer to struct", &point{3, 4}, "&{3 4}", "*worker.point", []string{"X=3", "Y=4"}},
		{"pointer to int", &n, "", "*int", []string{"*=7"}},
		{"nil pointer", nilPtr, "nil", "*worker.point", nil},
		{"interface", &iface, "", "*interface {}", []string{"X=1", "Y=2"}},
		{"long", strings.Repeat("x", 300), `"` + strings.Repeat("x", maxShown-1) + "…", "string", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := reflect.ValueOf(tc.v)
			if got := show(v); tc.show != "" && got != tc.show {
				t.Errorf("show = %q, want %q", got, tc.show)
			}
			if got := typeName(v); got != tc.typ {
				t.Errorf("typeName = %q, want %q", got, tc.typ)
			}
			p := parts(v)
			if (p == nil) != (tc.parts == nil) {
				t.Fatalf("parts nil = %v, want %v", p == nil, tc.parts == nil)
			}
			if p == nil {
				return
			}
			var got []string
			for _, x := range p() {
				got = append(got, x.name+"="+show(x.v))
			}
			if !reflect.DeepEqual(got, tc.parts) {
				t.Errorf("parts = %q, want %q", got, tc.parts)
			}
		})
	}
}

func TestParts100(t *testing.T) {
	p := parts(reflect.ValueOf(make([]int, 1000)))
	if n := len(p()); n != maxParts {
		t.Errorf("a slice of 1000 lists %d parts, want %d", n, maxParts)
	}
}

func TestRichBundle(t *testing.T) {
	img := image.NewRGBA(image.Rect(0, 0, 3, 2))
	b := richBundle(reflect.ValueOf(img))
	if b["text/plain"] != "[*image.RGBA 3x2]" {
		t.Errorf("image's text/plain = %v", b["text/plain"])
	}
	data, err := base64.StdEncoding.DecodeString(fmt.Sprint(b["image/png"]))
	if err != nil {
		t.Fatalf("image/png is not base64: %v", err)
	}
	if cfg, err := png.DecodeConfig(bytes.NewReader(data)); err != nil || cfg.Width != 3 || cfg.Height != 2 {
		t.Errorf("image/png decodes to %+v, %v", cfg, err)
	}
	html := display.Bundle{"text/html": "<b>x</b>", "text/plain": "x"}
	if got := richBundle(reflect.ValueOf(html)); got["text/html"] != "<b>x</b>" {
		t.Errorf("a display.Bundle becomes %v", got)
	}
	if got := richBundle(reflect.ValueOf(42)); len(got) != 1 || got["text/plain"] != "42" {
		t.Errorf("42 becomes %v", got)
	}
}
