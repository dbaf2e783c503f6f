package strictyaml

import (
	"strings"
	"testing"
	"time"
)

type cfg struct {
	AWS struct {
		Regions []string      `yaml:"regions"`
		Workers int           `yaml:"workers"`
		Timeout time.Duration `yaml:"timeout"`
	} `yaml:"aws"`
}

func TestErrorsNameFileLineAndField(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, in, want string
	}{
		{"unknown key", "aws:\n  regions: [a]\n  regoins: [b]\n", "c.yaml:3:3: aws.regoins: unknown key"},
		{"wrong type", "aws:\n  workers: lots\n", "c.yaml:2:12: aws.workers: "},
		{"syntax", "aws:\n  regions: [a\n", "c.yaml:"},
		{"bad duration", "aws:\n  regions: [a]\n  timeout: soon\n", `c.yaml:3:12: aws.timeout: "soon" is not a duration`},
		{"bad duration after a list holding the same text", "aws:\n  regions: [soon]\n  timeout: soon\n", `c.yaml:3:12: aws.timeout: "soon" is not a duration`},
		{"duration without unit", "aws:\n  timeout: 60\n", "c.yaml:2:12: aws.timeout: cannot use a uint64 here, want a duration with a unit"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var c cfg
			err := Unmarshal("c.yaml", []byte(tc.in), &c)
			if err == nil {
				t.Fatal("no error")
			}
			if !strings.HasPrefix(err.Error(), tc.want) {
				t.Fatalf("error %q does not start with %q", err, tc.want)
			}
		})
	}
}

func TestValidDecodes(t *testing.T) {
	t.Parallel()
	var c cfg
	if err := Unmarshal("c.yaml", []byte("aws:\n  regions: [eu-west-1]\n  workers: 4\n  timeout: 90s\n"), &c); err != nil {
		t.Fatal(err)
	}
	if c.AWS.Workers != 4 || c.AWS.Regions[0] != "eu-west-1" || c.AWS.Timeout != 90*time.Second {
		t.Fatalf("decoded %+v", c)
	}
}
