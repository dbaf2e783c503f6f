package strictyaml

import (
	"strings"
	"testing"
)

type cfg struct {
	AWS struct {
		Regions []string `yaml:"regions"`
		Workers int      `yaml:"workers"`
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
	if err := Unmarshal("c.yaml", []byte("aws:\n  regions: [eu-west-1]\n  workers: 4\n"), &c); err != nil {
		t.Fatal(err)
	}
	if c.AWS.Workers != 4 || c.AWS.Regions[0] != "eu-west-1" {
		t.Fatalf("decoded %+v", c)
	}
}
