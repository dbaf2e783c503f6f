package aws

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	logstypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"

	"github.com/ghostaudit/ghostaudit/scanners"
)

// Attribute keys of aws.logs.log_group resources.
const (
	AttrRetentionDays = "retention_days" // absent: the group never expires its events
	AttrStoredBytes   = "stored_bytes"
	// AttrLogGroupClass is logGroupClass: STANDARD, INFREQUENT_ACCESS or
	// DELIVERY (events kept one day, whatever the retention says).
	AttrLogGroupClass = "log_group_class"
)

// logGroups lists CloudWatch Logs log groups and their tags.
//
// aws.logs.log_group (ID = the log group name, which may contain "/"):
// retention_days, stored_bytes, log_group_class; Tags from ListTagsForResource (the
// ListTagsLogGroup it replaces is deprecated); Created = creationTime
// (epoch ms). A failed tag call is a logs:ListTagsForResource gap and the
// group is emitted without tags.
func (sc *scope) logGroups(ctx context.Context) error {
	p := cloudwatchlogs.NewDescribeLogGroupsPaginator(sc.logs, &cloudwatchlogs.DescribeLogGroupsInput{Limit: sc.pageSizeIn(1, 50)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("logs DescribeLogGroups %s: %w", sc.region, err)
		}
		// ListTagsForResource takes one log group: one call per group, the
		// page's calls at once (the Logs client's limiter bounds them).
		groups := page.LogGroups
		tags := make([]map[string]string, len(groups))
		each(len(groups), func(i int) {
			arn := logGroupARN(groups[i])
			if arn == "" {
				return
			}
			out, err := sc.logs.ListTagsForResource(ctx, &cloudwatchlogs.ListTagsForResourceInput{ResourceArn: aws.String(arn)})
			if err != nil {
				sc.gap(ctx, "logs:ListTagsForResource", "", fmt.Errorf("logs ListTagsForResource %s: %w", arn, err))
				return
			}
			if len(out.Tags) > 0 {
				tags[i] = out.Tags
			}
		})
		// The page is emitted even when the scope's deadline cut the tag
		// calls short (the gap says so); the next page then fails.
		for i, g := range groups {
			attrs := map[string]string{}
			if g.RetentionInDays != nil && *g.RetentionInDays > 0 {
				attrs[AttrRetentionDays] = strconv.Itoa(int(*g.RetentionInDays))
			}
			if g.StoredBytes != nil {
				attrs[AttrStoredBytes] = strconv.FormatInt(*g.StoredBytes, 10)
			}
			if g.LogGroupClass != "" {
				attrs[AttrLogGroupClass] = string(g.LogGroupClass)
			}
			var created *time.Time
			if g.CreationTime != nil {
				t := time.UnixMilli(*g.CreationTime)
				created = timePtr(&t)
			}
			name := aws.ToString(g.LogGroupName)
			sc.emit(scanners.Resource{Kind: KindLogGroup, ID: name, Name: name, Tags: tags[i], Created: created, Attributes: clean(attrs)})
		}
	}
	return nil
}

// logGroupARN is the ARN the tagging APIs take: logGroupArn, or arn
// without its trailing ":*" from a response that lacks logGroupArn.
func logGroupARN(g logstypes.LogGroup) string {
	if a := aws.ToString(g.LogGroupArn); a != "" {
		return a
	}
	return strings.TrimSuffix(aws.ToString(g.Arn), ":*")
}
