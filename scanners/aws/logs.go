package aws

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"

	"github.com/ghostaudit/ghostaudit/scanners"
)

// Attribute keys of aws.logs.log_group resources.
const (
	AttrRetentionDays = "retention_days" // absent: the group never expires its events
	AttrStoredBytes   = "stored_bytes"
)

// logGroups lists CloudWatch Logs log groups.
//
// aws.logs.log_group (ID = the log group name, which may contain "/"):
// retention_days, stored_bytes; Created = creationTime (epoch ms).
func (sc *scope) logGroups(ctx context.Context) error {
	p := cloudwatchlogs.NewDescribeLogGroupsPaginator(sc.logs, &cloudwatchlogs.DescribeLogGroupsInput{Limit: sc.pageSizeIn(1, 50)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("logs DescribeLogGroups %s: %w", sc.region, err)
		}
		for _, g := range page.LogGroups {
			attrs := map[string]string{}
			if g.RetentionInDays != nil && *g.RetentionInDays > 0 {
				attrs[AttrRetentionDays] = strconv.Itoa(int(*g.RetentionInDays))
			}
			if g.StoredBytes != nil {
				attrs[AttrStoredBytes] = strconv.FormatInt(*g.StoredBytes, 10)
			}
			var created *time.Time
			if g.CreationTime != nil {
				t := time.UnixMilli(*g.CreationTime)
				created = timePtr(&t)
			}
			name := aws.ToString(g.LogGroupName)
			sc.emit(scanners.Resource{Kind: KindLogGroup, ID: name, Name: name, Created: created, Attributes: clean(attrs)})
		}
	}
	return nil
}
