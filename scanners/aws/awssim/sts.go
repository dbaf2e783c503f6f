package awssim

import (
	"encoding/base64"
	"encoding/xml"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// STS Query protocol responses, shaped as the examples of the STS API
// Reference (https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html,
// API_AssumeRole.html): <XResponse><XResult>...</XResult><ResponseMetadata><RequestId/></ResponseMetadata></XResponse>.

type stsMetadata struct {
	RequestID string `xml:"RequestId"`
}

type getCallerIdentityResponse struct {
	XMLName xml.Name `xml:"GetCallerIdentityResponse"`
	Xmlns   string   `xml:"xmlns,attr"`
	Result  struct {
		Arn     string `xml:"Arn"`
		UserID  string `xml:"UserId"`
		Account string `xml:"Account"`
	} `xml:"GetCallerIdentityResult"`
	Metadata stsMetadata `xml:"ResponseMetadata"`
}

// The base caller is an IAM user; its name is fixed.
const callerUser = "ghostaudit"

func (s *Sim) getCallerIdentity(c *call) (any, *apiError) {
	out := getCallerIdentityResponse{Xmlns: stsNamespace, Metadata: stsMetadata{c.requestID}}
	out.Result.Account = c.account
	s.mu.Lock()
	sess, ok := s.issued[c.accessKey]
	s.mu.Unlock()
	if ok {
		roleID := "AROA" + strings.ToUpper(stableHex(17, sess.account, sess.role))
		out.Result.Arn = "arn:aws:sts::" + sess.account + ":assumed-role/" + sess.role + "/" + sess.name
		out.Result.UserID = roleID + ":" + sess.name
	} else {
		out.Result.Arn = "arn:aws:iam::" + c.account + ":user/" + callerUser
		out.Result.UserID = "AIDA" + strings.ToUpper(stableHex(17, c.account, callerUser))
	}
	return out, nil
}

type assumeRoleResponse struct {
	XMLName xml.Name `xml:"AssumeRoleResponse"`
	Xmlns   string   `xml:"xmlns,attr"`
	Result  struct {
		AssumedRoleUser struct {
			Arn           string `xml:"Arn"`
			AssumedRoleID string `xml:"AssumedRoleId"`
		} `xml:"AssumedRoleUser"`
		Credentials struct {
			AccessKeyID     string `xml:"AccessKeyId"`
			SecretAccessKey string `xml:"SecretAccessKey"`
			SessionToken    string `xml:"SessionToken"`
			Expiration      string `xml:"Expiration"`
		} `xml:"Credentials"`
		PackedPolicySize int `xml:"PackedPolicySize"`
	} `xml:"AssumeRoleResult"`
	Metadata stsMetadata `xml:"ResponseMetadata"`
}

var (
	roleArnRE     = regexp.MustCompile(`^arn:aws[a-z-]*:iam::(\d{12}):role/(?:[\w+=,.@-]+/)*([\w+=,.@-]{1,64})$`)
	sessionNameRE = regexp.MustCompile(`^[\w+=,.@-]{2,64}$`)
)

// validationError is the AWS Query protocol's parameter error (HTTP 400).
func validationError(format string, args ...any) *apiError {
	return errorf(http.StatusBadRequest, "ValidationError", format, args...)
}

func (s *Sim) assumeRole(c *call) (any, *apiError) {
	form := c.r.Form
	arn, name := form.Get("RoleArn"), form.Get("RoleSessionName")
	if arn == "" {
		return nil, validationError("1 validation error detected: Value null at 'roleArn' failed to satisfy constraint: Member must not be null")
	}
	if name == "" {
		return nil, validationError("1 validation error detected: Value null at 'roleSessionName' failed to satisfy constraint: Member must not be null")
	}
	if !sessionNameRE.MatchString(name) {
		return nil, validationError("1 validation error detected: Value '%s' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*", name)
	}
	m := roleArnRE.FindStringSubmatch(arn)
	if m == nil {
		return nil, validationError("%s is invalid", arn)
	}
	duration := time.Hour
	if raw := form.Get("DurationSeconds"); raw != "" {
		n, err := strconv.Atoi(raw)
		if err != nil || n < 900 || n > 43200 {
			return nil, validationError("1 validation error detected: Value '%s' at 'durationSeconds' failed to satisfy constraint: Member must have value between 900 and 43200", raw)
		}
		duration = time.Duration(n) * time.Second
	}
	target, role := m[1], m[2]
	a := s.accounts[target]
	if a == nil || a.AssumeRole == "deny" {
		return nil, errorf(http.StatusForbidden, "AccessDenied",
			"User: arn:aws:iam::%s:user/%s is not authorized to perform: sts:AssumeRole on resource: %s", c.account, callerUser, arn)
	}
	now := s.clock().UTC()
	s.mu.Lock()
	s.seq++
	n := strconv.Itoa(s.seq)
	akid := "ASIA" + strings.ToUpper(stableHex(16, "akid", n, target, role, name))
	s.issued[akid] = session{account: target, role: role, name: name, expires: now.Add(duration)}
	s.mu.Unlock()

	out := assumeRoleResponse{Xmlns: stsNamespace, Metadata: stsMetadata{c.requestID}}
	out.Result.AssumedRoleUser.Arn = "arn:aws:sts::" + target + ":assumed-role/" + role + "/" + name
	out.Result.AssumedRoleUser.AssumedRoleID = "AROA" + strings.ToUpper(stableHex(17, target, role)) + ":" + name
	out.Result.Credentials.AccessKeyID = akid
	out.Result.Credentials.SecretAccessKey = base64.StdEncoding.EncodeToString([]byte(stableHex(30, "secret", akid)))[:40]
	out.Result.Credentials.SessionToken = "FwoGZXIvYXdzE" + base64.StdEncoding.EncodeToString([]byte(stableHex(64, "token", akid)+stableHex(64, "token2", akid)))
	// STS writes Expiration as ISO 8601 without fractional seconds.
	out.Result.Credentials.Expiration = now.Add(duration).Format("2006-01-02T15:04:05Z")
	return out, nil
}
