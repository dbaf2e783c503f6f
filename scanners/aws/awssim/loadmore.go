package awssim

import (
	"fmt"
	"net/netip"
	"strings"
)

var (
	snapshotStates = []string{"pending", "completed", "error", "recoverable", "recovering"}
	imageStates    = []string{"pending", "available", "invalid", "deregistered", "transient", "failed", "error", "disabled"}
	natStates      = []string{"pending", "failed", "available", "deleting", "deleted"}
)

// regionMore validates the resources added for the issue 4 checks and
// fills in their defaults.
func (v *validator) regionMore(f, account string, r *Region, instances map[string]*Instance, claim func(field, kind, prefix, id string) error) error {
	for i := range r.Snapshots {
		sn := &r.Snapshots[i]
		fs := fmt.Sprintf("%s.snapshots[%d]", f, i)
		if err := claim(fs+".id", "snapshot", "snap-", sn.ID); err != nil {
			return err
		}
		if sn.VolumeID != "" && !strings.HasPrefix(sn.VolumeID, "vol-") {
			return v.fail(fs+".volume_id", "%q is not a volume id (vol-...)", sn.VolumeID)
		}
		if sn.SizeGiB <= 0 || sn.SizeGiB > 65536 {
			return v.fail(fs+".size_gib", "%d is not a volume size in GiB (1-65536)", sn.SizeGiB)
		}
		if sn.StorageTier == "" {
			sn.StorageTier = "standard"
		} else if sn.StorageTier != "standard" && sn.StorageTier != "archive" {
			return v.fail(fs+".storage_tier", "%q is not standard or archive", sn.StorageTier)
		}
		if sn.State == "" {
			sn.State = "completed"
		} else if !contains(snapshotStates, sn.State) {
			return v.fail(fs+".state", "%q is not a snapshot state (%s)", sn.State, strings.Join(snapshotStates, ", "))
		}
		switch sn.TransferType {
		case "", "standard", "time-based":
		default:
			return v.fail(fs+".transfer_type", "%q is not standard or time-based", sn.TransferType)
		}
	}
	snapRef := func(field, id string) error {
		if !strings.HasPrefix(id, "snap-") {
			return v.fail(field, "%q is not a snapshot id (snap-...)", id)
		}
		return nil
	}
	for i := range r.Images {
		im := &r.Images[i]
		fi := fmt.Sprintf("%s.images[%d]", f, i)
		if err := claim(fi+".id", "image", "ami-", im.ID); err != nil {
			return err
		}
		if im.Name == "" {
			im.Name = im.ID
		}
		if im.State == "" {
			im.State = "available"
		} else if !contains(imageStates, im.State) {
			return v.fail(fi+".state", "%q is not an image state (%s)", im.State, strings.Join(imageStates, ", "))
		}
		for j, id := range im.SnapshotIDs {
			if err := snapRef(fmt.Sprintf("%s.snapshot_ids[%d]", fi, j), id); err != nil {
				return err
			}
		}
	}
	for i := range r.LaunchTemplates {
		lt := &r.LaunchTemplates[i]
		fl := fmt.Sprintf("%s.launch_templates[%d]", f, i)
		if err := claim(fl+".id", "launch template", "lt-", lt.ID); err != nil {
			return err
		}
		if lt.Name == "" {
			return v.fail(fl+".name", "a launch template name is required")
		}
		if len(lt.Versions) == 0 {
			return v.fail(fl+".versions", "a launch template has at least one version")
		}
		if lt.DefaultVersion == 0 {
			lt.DefaultVersion = 1
		}
		if lt.DefaultVersion < 1 || lt.DefaultVersion > int64(len(lt.Versions)) {
			return v.fail(fl+".default_version", "%d is not one of the %d versions", lt.DefaultVersion, len(lt.Versions))
		}
		if err := v.managed(fl, lt.Managed, &lt.ManagedBy); err != nil {
			return err
		}
		for j, ver := range lt.Versions {
			fv := fmt.Sprintf("%s.versions[%d]", fl, j)
			if ver.ImageID != "" && !strings.HasPrefix(ver.ImageID, "ami-") {
				return v.fail(fv+".image_id", "%q is not an AMI id (ami-...)", ver.ImageID)
			}
			for k, id := range ver.SnapshotIDs {
				if err := snapRef(fmt.Sprintf("%s.snapshot_ids[%d]", fv, k), id); err != nil {
					return err
				}
			}
		}
	}
	for i := range r.NatGateways {
		g := &r.NatGateways[i]
		fn := fmt.Sprintf("%s.nat_gateways[%d]", f, i)
		if err := claim(fn+".id", "NAT gateway", "nat-", g.ID); err != nil {
			return err
		}
		suffix := strings.TrimPrefix(g.ID, "nat-")
		if g.State == "" {
			g.State = "available"
		} else if !contains(natStates, g.State) {
			return v.fail(fn+".state", "%q is not a NAT gateway state (%s)", g.State, strings.Join(natStates, ", "))
		}
		if g.Connectivity == "" {
			g.Connectivity = "public"
		} else if g.Connectivity != "public" && g.Connectivity != "private" {
			return v.fail(fn+".connectivity", "%q is not public or private", g.Connectivity)
		}
		if g.VpcID == "" {
			g.VpcID = "vpc-" + stableHex(17, "vpc", account, r.Name)
		} else if !strings.HasPrefix(g.VpcID, "vpc-") {
			return v.fail(fn+".vpc_id", "%q is not a VPC id (vpc-...)", g.VpcID)
		}
		if g.SubnetID == "" {
			g.SubnetID = "subnet-" + stableHex(17, "subnet", g.ID)
		} else if !strings.HasPrefix(g.SubnetID, "subnet-") {
			return v.fail(fn+".subnet_id", "%q is not a subnet id (subnet-...)", g.SubnetID)
		}
		if g.PublicIP != "" {
			if ip, err := netip.ParseAddr(g.PublicIP); err != nil || !ip.Is4() {
				return v.fail(fn+".public_ip", "%q is not an IPv4 address", g.PublicIP)
			}
		}
		if g.Connectivity == "private" && (g.PublicIP != "" || g.AllocationID != "") {
			return v.fail(fn+".connectivity", "a private NAT gateway has no public_ip or allocation_id")
		}
		if g.AllocationID != "" && !strings.HasPrefix(g.AllocationID, "eipalloc-") {
			return v.fail(fn+".allocation_id", "%q is not an allocation id (eipalloc-...)", g.AllocationID)
		}
		if g.Connectivity == "public" && g.AllocationID == "" {
			g.AllocationID = "eipalloc-" + suffix
		}
		if g.PrivateIP == "" {
			g.PrivateIP = fmt.Sprintf("10.0.%d.%d", 200+(i/250)%50, i%250+4)
		} else if ip, err := netip.ParseAddr(g.PrivateIP); err != nil || !ip.Is4() {
			return v.fail(fn+".private_ip", "%q is not an IPv4 address", g.PrivateIP)
		}
		if err := v.metrics(fn+".metrics", "AWS/NATGateway", g.Metrics); err != nil {
			return err
		}
	}
	return v.regionServices(f, account, r, instances)
}
