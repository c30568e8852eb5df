package gosrc

import (
	"os"
	"testing"
)

func TestZZOne(t *testing.T) {
	src, _ := os.ReadFile(os.Getenv("ONE"))
	p, err := Compile("In[1]", string(src), nil)
	os.WriteFile("/tmp/wrong/one.txt", []byte(dump(p, err)), 0o644)
}
