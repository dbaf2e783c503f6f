// Package estates embeds the simulated estates so the demo can run from a
// plain `go run` without any file next to the binary.
package estates

import _ "embed"

// Demo is testdata/estates/demo.yaml.
//
//go:embed demo.yaml
var Demo []byte
