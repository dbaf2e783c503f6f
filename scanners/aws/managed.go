package aws

import (
	"errors"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/smithy-go"
)

// AttrManagedBy is set on aws.ec2.instance, aws.ebs.volume and
// aws.ec2.launch_template resources that an AWS service manages (EKS Auto
// Mode, ...): the service principal of their Operator.
const AttrManagedBy = "managed_by"

// Managed resources.
//
// DescribeInstances, DescribeVolumes, DescribeLaunchTemplates and
// DescribeLaunchTemplateVersions leave out the resources that an AWS
// service manages when the account's managed resource visibility is
// hidden ("A value of hidden indicates that managed resources are not
// included in Describe operation responses by default",
// ManagedResourceVisibilitySettings), though "Hidden resources remain fully
// operational and billable" (ModifyManagedResourceVisibility). Missing,
// they would be neither inventoried nor priced, and the snapshots and AMIs
// they use would read as orphaned. So the scanner sets
// IncludeManagedResources=true on all four: "If this parameter is set to
// true, the output includes resources that are managed by Amazon Web
// Services services, even if managed resource visibility is set to hidden."
//
// An endpoint that predates the parameter (an older EC2-compatible
// service or simulator) answers UnknownParameter. The call is then sent
// again once without it, and the scope's client stops sending it. That
// fallback records no coverage gap: an endpoint that does not know the
// parameter has no managed resource visibility to hide anything behind,
// so its listing is complete; a gap (scanners.Gap: something the scanner
// could not see) would be false, and would make the orphaned-snapshot
// rule skip the region (findings: covered) and --strict fail on a
// complete scan.

// includeManaged is the IncludeManagedResources value to send: true,
// unless the scope's endpoint has refused it.
func (sc *scope) includeManaged() *bool {
	if sc.noManagedParam.Load() {
		return nil
	}
	return aws.Bool(true)
}

// refusesManagedParam reports whether err is the endpoint refusing the
// IncludeManagedResources parameter: EC2's UnknownParameter ("An unknown
// or unrecognized parameter was supplied"), or InvalidParameter /
// InvalidParameterValue naming it ("A parameter specified in a request is
// not valid, is unsupported, or cannot be used").
func refusesManagedParam(err error) bool {
	var api smithy.APIError
	if !errors.As(err, &api) {
		return false
	}
	switch api.ErrorCode() {
	case "UnknownParameter":
		return true
	case "InvalidParameter", "InvalidParameterValue":
		return strings.Contains(api.ErrorMessage(), "IncludeManagedResources")
	}
	return false
}

// withoutManagedOnRefusal runs call, whose input's IncludeManagedResources
// is *param. If the endpoint refuses the parameter, it clears *param,
// remembers the refusal for the scope's later calls, and runs call once
// more. (A paginator reads its input anew for each page, so clearing the
// field of the input it was given changes the page it sends again.)
func withoutManagedOnRefusal[T any](sc *scope, param **bool, call func() (T, error)) (T, error) {
	out, err := call()
	if err == nil || *param == nil || !refusesManagedParam(err) {
		return out, err
	}
	if sc.noManagedParam.CompareAndSwap(false, true) {
		sc.log.Info("ec2 endpoint does not accept IncludeManagedResources; listing without it", "err", err)
	}
	*param = nil
	return call()
}
