package awssim

import (
	"net/http"
	"sort"
	"strconv"
)

// RDS (2014-10-31) over the AWS Query protocol. Lists use named members
// (<DBInstances><DBInstance>, <DBSnapshots><DBSnapshot>, as the pinned
// SDK's schema XMLName traits say); paging is Marker/MaxRecords (20-100).
// (https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DescribeDBInstances.html)

func rdsPage(c *call, keys []string) (start, end int, next string, err *apiError) {
	size := 100
	if raw := c.r.Form.Get("MaxRecords"); raw != "" {
		n, perr := strconv.Atoi(raw)
		if perr != nil || n < 20 || n > 100 {
			// InvalidParameterValue: "MaxRecords must be between 20 and 100"
			return 0, 0, "", errorf(http.StatusBadRequest, "InvalidParameterValue", "Invalid value %s for MaxRecords. Must be between 20 and 100", raw)
		}
		size = n
	}
	if m := c.r.Form.Get("Marker"); m != "" {
		after, ok := decodeToken(c.action, m)
		if !ok {
			return 0, 0, "", errorf(http.StatusBadRequest, "InvalidParameterValue", "The marker %s is not valid", m)
		}
		start = sort.Search(len(keys), func(i int) bool { return keys[i] > after })
	}
	end = len(keys)
	if start+size < len(keys) {
		end = start + size
		next = encodeToken(c.action, keys[end-1])
	}
	return start, end, next, nil
}

func (s *Sim) describeDBInstances(c *call) (any, *apiError) {
	_, r := s.scope(c)
	var dbs []*DBInstance
	if r != nil {
		for i := range r.DBInstances {
			dbs = append(dbs, &r.DBInstances[i])
		}
	}
	sort.Slice(dbs, func(i, j int) bool { return dbs[i].ID < dbs[j].ID })
	if id := c.r.Form.Get("DBInstanceIdentifier"); id != "" {
		var one []*DBInstance
		for _, db := range dbs {
			if db.ID == id {
				one = append(one, db)
			}
		}
		if len(one) == 0 {
			return nil, errorf(http.StatusNotFound, "DBInstanceNotFound", "DBInstance %s not found.", id)
		}
		dbs = one
	}
	keys := make([]string, len(dbs))
	for i, db := range dbs {
		keys[i] = db.ID
	}
	start, end, next, err := rdsPage(c, keys)
	if err != nil {
		return nil, err
	}
	type endpoint struct {
		Address      string `xml:"Address"`
		Port         int32  `xml:"Port"`
		HostedZoneID string `xml:"HostedZoneId"`
	}
	type dbi struct {
		DBInstanceIdentifier string    `xml:"DBInstanceIdentifier"`
		DBInstanceClass      string    `xml:"DBInstanceClass"`
		Engine               string    `xml:"Engine"`
		DBInstanceStatus     string    `xml:"DBInstanceStatus"`
		Endpoint             *endpoint `xml:"Endpoint"`
		AllocatedStorage     int32     `xml:"AllocatedStorage"`
		InstanceCreateTime   string    `xml:"InstanceCreateTime"`
		AvailabilityZone     string    `xml:"AvailabilityZone"`
		MultiAZ              bool      `xml:"MultiAZ"`
		StorageType          string    `xml:"StorageType"`
		DBInstanceArn        string    `xml:"DBInstanceArn"`
		DbiResourceID        string    `xml:"DbiResourceId"`
		LicenseModel         string    `xml:"LicenseModel"`
	}
	type result struct {
		DBInstances []dbi  `xml:"DBInstances>DBInstance"`
		Marker      string `xml:"Marker,omitempty"`
	}
	out := result{DBInstances: []dbi{}, Marker: next}
	now := s.now()
	for _, db := range dbs[start:end] {
		x := dbi{
			DBInstanceIdentifier: db.ID, DBInstanceClass: db.Class, Engine: db.Engine, DBInstanceStatus: db.Status,
			AllocatedStorage: db.AllocatedGiB, InstanceCreateTime: isoTime(orDefault(db.Created, db.Created.At(now), now)),
			AvailabilityZone: c.region + "a", MultiAZ: db.MultiAZ, StorageType: db.StorageType,
			DBInstanceArn: "arn:aws:rds:" + c.region + ":" + c.account + ":db:" + db.ID,
			DbiResourceID: "db-" + stableHex(26, "dbi", c.account, db.ID), LicenseModel: "postgresql-license",
		}
		if db.Engine != "postgres" {
			x.LicenseModel = "general-public-license"
		}
		if db.Status == "available" || db.Status == "backing-up" || db.Status == "modifying" {
			x.Endpoint = &endpoint{Address: db.ID + "." + stableHex(12, "rds", c.account) + "." + c.region + ".rds.amazonaws.com", Port: 5432, HostedZoneID: "Z2R2ITUGPM61AM"}
		}
		out.DBInstances = append(out.DBInstances, x)
	}
	return queryResult{out}, nil
}

func (s *Sim) describeDBSnapshots(c *call) (any, *apiError) {
	_, r := s.scope(c)
	form := c.r.Form
	var snaps []*DBSnapshot
	if r != nil {
		for i := range r.DBSnapshots {
			sn := &r.DBSnapshots[i]
			if t := form.Get("SnapshotType"); t != "" && sn.Type != t {
				continue
			}
			if id := form.Get("DBInstanceIdentifier"); id != "" && sn.DBInstanceID != id {
				continue
			}
			if id := form.Get("DBSnapshotIdentifier"); id != "" && sn.ID != id {
				continue
			}
			snaps = append(snaps, sn)
		}
	}
	if id := form.Get("DBSnapshotIdentifier"); id != "" && len(snaps) == 0 {
		return nil, errorf(http.StatusNotFound, "DBSnapshotNotFound", "DBSnapshot %s not found.", id)
	}
	sort.Slice(snaps, func(i, j int) bool { return snaps[i].ID < snaps[j].ID })
	keys := make([]string, len(snaps))
	for i, sn := range snaps {
		keys[i] = sn.ID
	}
	start, end, next, err := rdsPage(c, keys)
	if err != nil {
		return nil, err
	}
	type dbs struct {
		DBSnapshotIdentifier string `xml:"DBSnapshotIdentifier"`
		DBInstanceIdentifier string `xml:"DBInstanceIdentifier"`
		SnapshotCreateTime   string `xml:"SnapshotCreateTime"`
		Engine               string `xml:"Engine"`
		AllocatedStorage     int32  `xml:"AllocatedStorage"`
		Status               string `xml:"Status"`
		SnapshotType         string `xml:"SnapshotType"`
		DBSnapshotArn        string `xml:"DBSnapshotArn"`
		StorageType          string `xml:"StorageType"`
		// Sent only when set: SourceDBSnapshotIdentifier "only has a
		// value in the case of a cross-account or cross-Region copy".
		SourceRegion               string `xml:"SourceRegion,omitempty"`
		SourceDBSnapshotIdentifier string `xml:"SourceDBSnapshotIdentifier,omitempty"`
	}
	type result struct {
		DBSnapshots []dbs  `xml:"DBSnapshots>DBSnapshot"`
		Marker      string `xml:"Marker,omitempty"`
	}
	out := result{DBSnapshots: []dbs{}, Marker: next}
	now := s.now()
	for _, sn := range snaps[start:end] {
		out.DBSnapshots = append(out.DBSnapshots, dbs{
			DBSnapshotIdentifier: sn.ID, DBInstanceIdentifier: sn.DBInstanceID, SnapshotCreateTime: isoTime(orDefault(sn.Created, sn.Created.At(now), now)),
			Engine: sn.Engine, AllocatedStorage: sn.AllocatedGiB, Status: sn.Status, SnapshotType: sn.Type,
			DBSnapshotArn: "arn:aws:rds:" + c.region + ":" + c.account + ":snapshot:" + sn.ID, StorageType: "gp2",
			SourceRegion: sn.SourceRegion, SourceDBSnapshotIdentifier: sn.SourceSnapshot,
		})
	}
	return queryResult{out}, nil
}
