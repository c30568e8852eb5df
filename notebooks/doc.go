// Package notebooks holds gokernel's teaching notebooks. Each notebook is
// also a golden file: its tests execute it headless with the real
// `jupyter nbconvert --execute` and compare the fresh outputs with the ones
// committed in the notebook. `go test ./notebooks -update` rewrites them.
package notebooks
