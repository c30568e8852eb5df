package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// TestCommittedLogosAreCurrent fails when the logos in kernelspec/ differ
// from what this program draws: run go generate in kernelspec.
func TestCommittedLogosAreCurrent(t *testing.T) {
	files, err := render()
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 3 {
		t.Errorf("render made %d files, want 3", len(files))
	}
	for name, want := range files {
		got, err := os.ReadFile(filepath.Join("..", "..", name))
		if err != nil {
			t.Errorf("%v (run go generate in kernelspec)", err)
			continue
		}
		if !bytes.Equal(got, want) {
			t.Errorf("kernelspec/%s is stale: run go generate in kernelspec", name)
		}
	}
}

func TestLetterShapes(t *testing.T) {
	tests := []struct {
		name       string
		x, y       float64
		background bool
		letter     bool
	}{
		{"top edge", 0.5, 0.02, true, false},
		{"outside the rounded corner", 0.01, 0.01, false, false},
		{"G ring, left side", gX - gR + stroke/2, gY, true, true},
		{"G ring, top", gX, gY - gR + stroke/2, true, true},
		{"G gap, upper right", gX + (gR-stroke/2)*0.77, gY - (gR-stroke/2)*0.34, true, false},
		{"G bar", (barLeft + gX + gR) / 2, gY + stroke/2, true, true},
		{"inside G", gX - 0.05, gY, true, false},
		{"o ring, right side", oX + oR - stroke/2, oY, true, true},
		{"hole of o", oX, oY, true, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := inBackground(tc.x, tc.y); got != tc.background {
				t.Errorf("inBackground(%v, %v) = %v, want %v", tc.x, tc.y, got, tc.background)
			}
			if got := inLetters(tc.x, tc.y); got != tc.letter {
				t.Errorf("inLetters(%v, %v) = %v, want %v", tc.x, tc.y, got, tc.letter)
			}
		})
	}
}
