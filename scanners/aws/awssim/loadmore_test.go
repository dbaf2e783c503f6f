package awssim

import (
	"strings"
	"testing"

	"github.com/ghostaudit/ghostaudit/scanners/estate"
)

func TestLoadValidationNewResources(t *testing.T) {
	t.Parallel()
	base := "aws:\n  accounts:\n    - id: \"111111111111\"\n      regions:\n        - name: us-east-1\n"
	cases := []struct{ name, in, want string }{
		{"nat id", base + "          nat_gateways:\n            - {id: nat-1}\n            - {id: igw-2}\n", "demo.yaml:8:"},
		{"nat id field", base + "          nat_gateways:\n            - {id: nat-1}\n            - {id: igw-2}\n", "aws.accounts[0].regions[0].nat_gateways[1].id: \"igw-2\" is not a NAT gateway id"},
		{"metric name", base + "          instances:\n            - {id: i-1, type: t3.micro, metrics: {Bogus: {avg: 1}}}\n", "instances[0].metrics.Bogus: Bogus is not a simulated AWS/EC2 metric"},
		{"metric both", base + "          instances:\n            - {id: i-1, type: t3.micro, metrics: {CPUUtilization: {avg: 1, daily: [1]}}}\n", "set either daily or avg"},
		{"lb type", base + "          load_balancers:\n            - {name: a, type: classic}\n", "load_balancers[0].type: \"classic\" is not application, network or gateway"},
		{"db class", base + "          db_instances:\n            - {id: db1, class: m5.large}\n", "db_instances[0].class: a DB instance class"},
		{"retention", base + "          log_groups:\n            - {name: /a, retention_days: 10}\n", "log_groups[0].retention_days: 10 is not a retention"},
		{"log class", base + "          log_groups:\n            - {name: /a, class: COLD}\n", "log_groups[0].class: \"COLD\" is not STANDARD, INFREQUENT_ACCESS or DELIVERY"},
		{"usage operation", base + "          instances:\n            - {id: i-1, type: t3.micro, usage_operation: \"RunInstances:9999\"}\n", "instances[0].usage_operation: \"RunInstances:9999\" is not a usage operation"},
		{"windows operation", base + "          instances:\n            - {id: i-1, type: t3.micro, usage_operation: \"RunInstances:0102\"}\n", "instances[0].usage_operation: RunInstances:0102 (Windows with SQL Server Enterprise) needs platform windows"},
		{"db status", base + "          db_instances:\n            - {id: db1, class: db.t3.micro, status: sleeping}\n", "db_instances[0].status: \"sleeping\" is not a DB instance status"},
		{"image state", base + "          images:\n            - {id: ami-1, state: gone}\n", "images[0].state: \"gone\" is not an image state"},
		{"management", "aws:\n  management_account: \"111111111111\"\n  accounts:\n    - id: \"111111111111\"\n", "aws.management_account: the management account 111111111111 needs org_status ACTIVE"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e, err := estate.Parse("demo.yaml", []byte(tc.in))
			if err != nil {
				t.Fatal(err)
			}
			_, _, err = Load(e)
			if err == nil || !strings.HasPrefix(err.Error(), "demo.yaml") || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want it to contain %q", err, tc.want)
			}
		})
	}
}
