package awssim

import (
	"encoding/json"
	"net/http"
	"sort"
	"strings"
)

// CloudWatch Logs (Logs_20140328) and Organizations
// (AWSOrganizationsV20161128) over awsJson1_1: POST / with X-Amz-Target
// and a JSON body; errors as {"__type", "message"}.

func decodeJSON(c *call, v any) *apiError {
	if len(c.body) == 0 {
		return nil
	}
	if err := json.Unmarshal(c.body, v); err != nil {
		return errorf(http.StatusBadRequest, "SerializationException", "Could not parse the request body: %v", err)
	}
	return nil
}

// DescribeLogGroups: limit 1-50 (default 50), nextToken
// (https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_DescribeLogGroups.html).
func (s *Sim) describeLogGroups(c *call) (any, *apiError) {
	var in struct {
		LogGroupNamePrefix *string `json:"logGroupNamePrefix"`
		Limit              *int    `json:"limit"`
		NextToken          *string `json:"nextToken"`
	}
	if err := decodeJSON(c, &in); err != nil {
		return nil, err
	}
	limit := 50
	if in.Limit != nil {
		if *in.Limit < 1 || *in.Limit > 50 {
			return nil, errorf(http.StatusBadRequest, "InvalidParameterException", "1 validation error detected: Value '%d' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 50", *in.Limit)
		}
		limit = *in.Limit
	}
	_, r := s.scope(c)
	var groups []*LogGroup
	if r != nil {
		for i := range r.LogGroups {
			g := &r.LogGroups[i]
			if in.LogGroupNamePrefix != nil && !strings.HasPrefix(g.Name, *in.LogGroupNamePrefix) {
				continue
			}
			groups = append(groups, g)
		}
	}
	sort.Slice(groups, func(i, j int) bool { return groups[i].Name < groups[j].Name })
	start := 0
	if in.NextToken != nil {
		after, ok := decodeToken(c.action, *in.NextToken)
		if !ok {
			return nil, errorf(http.StatusBadRequest, "InvalidParameterException", "The specified nextToken is not valid.")
		}
		start = sort.Search(len(groups), func(i int) bool { return groups[i].Name > after })
	}
	end := min(start+limit, len(groups))
	type group struct {
		LogGroupName    string `json:"logGroupName"`
		CreationTime    int64  `json:"creationTime"`
		RetentionInDays *int32 `json:"retentionInDays,omitempty"`
		MetricFilterCnt int    `json:"metricFilterCount"`
		Arn             string `json:"arn"`
		LogGroupArn     string `json:"logGroupArn"`
		StoredBytes     int64  `json:"storedBytes"`
		LogGroupClass   string `json:"logGroupClass"`
	}
	out := struct {
		LogGroups []group `json:"logGroups"`
		NextToken string  `json:"nextToken,omitempty"`
	}{LogGroups: []group{}}
	if end < len(groups) {
		out.NextToken = encodeToken(c.action, groups[end-1].Name)
	}
	now := s.now()
	for _, g := range groups[start:end] {
		arn := "arn:aws:logs:" + c.region + ":" + c.account + ":log-group:" + g.Name
		x := group{LogGroupName: g.Name, CreationTime: orDefault(g.Created, g.Created.At(now), now).UnixMilli(),
			Arn: arn + ":*", LogGroupArn: arn, StoredBytes: g.StoredBytes, LogGroupClass: g.Class}
		if g.RetentionDays > 0 {
			d := g.RetentionDays
			x.RetentionInDays = &d
		}
		out.LogGroups = append(out.LogGroups, x)
	}
	return out, nil
}

// ListTagsForResource: the tags of the log group named by resourceArn,
// arn:aws:logs:<region>:<account>:log-group:<name> without the trailing
// ":*" of DescribeLogGroups' arn (its logGroupArn is the form "to use in
// the resourceArn field in tagging APIs"); {"tags": {...}}
// (https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_ListTagsForResource.html).
func (s *Sim) listTagsForResource(c *call) (any, *apiError) {
	var in struct {
		ResourceArn *string `json:"resourceArn"`
	}
	if err := decodeJSON(c, &in); err != nil {
		return nil, err
	}
	if in.ResourceArn == nil || *in.ResourceArn == "" {
		return nil, errorf(http.StatusBadRequest, "ValidationException", "1 validation error detected: Value null at 'resourceArn' failed to satisfy constraint: Member must not be null")
	}
	prefix := "arn:aws:logs:" + c.region + ":" + c.account + ":log-group:"
	name, ok := strings.CutPrefix(*in.ResourceArn, prefix)
	_, r := s.scope(c)
	if ok && r != nil {
		for i := range r.LogGroups {
			if g := &r.LogGroups[i]; g.Name == name {
				tags := map[string]string{}
				for k, v := range g.Tags {
					tags[k] = v
				}
				return struct {
					Tags map[string]string `json:"tags"`
				}{tags}, nil
			}
		}
	}
	return nil, errorf(http.StatusBadRequest, "ResourceNotFoundException", "The specified resource does not exist.")
}

// ListAccounts: MaxResults 1-20, NextToken; only the management account
// (https://docs.aws.amazon.com/organizations/latest/APIReference/API_ListAccounts.html).
func (s *Sim) listAccounts(c *call) (any, *apiError) {
	var in struct {
		MaxResults *int    `json:"MaxResults"`
		NextToken  *string `json:"NextToken"`
	}
	if err := decodeJSON(c, &in); err != nil {
		return nil, err
	}
	caller := s.accounts[c.account]
	if caller == nil || caller.OrgStatus == "" || s.est.ManagementAccount == "" {
		return nil, errorf(http.StatusBadRequest, "AWSOrganizationsNotInUseException", "Your account is not a member of an organization.")
	}
	if c.account != s.est.ManagementAccount {
		return nil, errorf(http.StatusBadRequest, "AccessDeniedException", "You don't have permissions to access this resource.")
	}
	limit := 20
	if in.MaxResults != nil {
		if *in.MaxResults < 1 || *in.MaxResults > 20 {
			return nil, errorf(http.StatusBadRequest, "InvalidInputException", "You provided a value that does not match the required pattern: MaxResults must be between 1 and 20.")
		}
		limit = *in.MaxResults
	}
	var members []*Account
	for i := range s.est.Accounts {
		if s.est.Accounts[i].OrgStatus != "" {
			members = append(members, &s.est.Accounts[i])
		}
	}
	sort.Slice(members, func(i, j int) bool { return members[i].ID < members[j].ID })
	start := 0
	if in.NextToken != nil {
		after, ok := decodeToken(c.action, *in.NextToken)
		if !ok {
			return nil, errorf(http.StatusBadRequest, "InvalidInputException", "The NextToken is not valid.")
		}
		start = sort.Search(len(members), func(i int) bool { return members[i].ID > after })
	}
	end := min(start+limit, len(members))
	type account struct {
		ID              string  `json:"Id"`
		Arn             string  `json:"Arn"`
		Email           string  `json:"Email"`
		Name            string  `json:"Name"`
		Status          string  `json:"Status"`
		State           string  `json:"State"`
		JoinedMethod    string  `json:"JoinedMethod"`
		JoinedTimestamp float64 `json:"JoinedTimestamp"`
	}
	out := struct {
		Accounts  []account `json:"Accounts"`
		NextToken string    `json:"NextToken,omitempty"`
	}{Accounts: []account{}}
	if end < len(members) {
		out.NextToken = encodeToken(c.action, members[end-1].ID)
	}
	orgID := "o-" + stableHex(10, "org", s.est.ManagementAccount)
	now := s.now()
	for _, a := range members[start:end] {
		joined := orDefault(a.Joined, a.Joined.At(now), now)
		method := "INVITED"
		if a.ID == s.est.ManagementAccount {
			method = "CREATED"
		}
		out.Accounts = append(out.Accounts, account{
			ID: a.ID, Arn: "arn:aws:organizations::" + s.est.ManagementAccount + ":account/" + orgID + "/" + a.ID,
			Email: a.Email, Name: a.Name, Status: a.OrgStatus, State: a.OrgStatus, JoinedMethod: method, JoinedTimestamp: float64(joined.Unix()),
		})
	}
	return out, nil
}
