// Package generic holds, in its sub-directories slices and maps, Go source
// that package symbols embeds and LoadGeneric compiles into a yaegi
// interpreter. The sources are ordinary Go packages too, so that they are
// type-checked and tested against the standard library by the go tool.
package generic
