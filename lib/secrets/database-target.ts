import { Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as rds from 'aws-cdk-lib/aws-rds';
import { IDependable } from 'constructs';

/** Where a self-managed database listens. */
export interface DatabaseEndpointOptions {
  /** Host name or IP address the rotation function connects to. */
  readonly host: string;
  /** Port the database listens on. */
  readonly port: number;
}

/**
 * The database a rotated secret belongs to: the rotation function is allowed to connect to it, and
 * a new secret's `host` and `port` come from it.
 */
export class DatabaseTarget {
  /** An RDS DB instance. */
  public static instance(instance: rds.IDatabaseInstance): DatabaseTarget {
    return new DatabaseTarget(instance.connections, instance.dbInstanceEndpointAddress,
      Token.asNumber(instance.dbInstanceEndpointPort), instance, knownPort(instance));
  }

  /** An Aurora or Multi-AZ DB cluster: the function connects to its writer endpoint. */
  public static cluster(cluster: rds.IDatabaseCluster): DatabaseTarget {
    return new DatabaseTarget(cluster.connections, cluster.clusterEndpoint.hostname, cluster.clusterEndpoint.port, cluster, knownPort(cluster));
  }

  /** Any other database reachable through security groups, e.g. one on EC2. */
  public static connectable(connectable: ec2.IConnectable, endpoint: DatabaseEndpointOptions): DatabaseTarget {
    const port = endpoint.port;
    if (!Token.isUnresolved(port) && (!Number.isInteger(port) || port < 1 || port > 65535)) {
      throw new Error(`DatabaseTarget.connectable: port must be a whole number from 1 to 65535, got ${port}`);
    }
    if (!Token.isUnresolved(endpoint.host) && endpoint.host.trim() === '') {
      throw new Error('DatabaseTarget.connectable: host must not be empty; pass the host name or IP address the database listens on');
    }
    return new DatabaseTarget(connectable.connections, endpoint.host, port);
  }

  /** The database's security groups. */
  public readonly connections: ec2.Connections;
  /** Host the rotation function connects to. */
  public readonly host: string;
  /** Port the rotation function connects to. */
  public readonly port: number;
  /** The database construct, so rotation waits for it. @internal */
  public readonly _dependable?: IDependable;
  /**
   * The port for security-group rules when the database is defined in this app and `port` is only
   * its endpoint attribute: a rule on a concrete port can be checked by compliance tools. @internal
   */
  public readonly _ingressPort: number;

  private constructor(connections: ec2.Connections, host: string, port: number, dependable?: IDependable, knownPortOfResource?: number) {
    this.connections = connections;
    this.host = host;
    this.port = port;
    this._dependable = dependable;
    this._ingressPort = knownPortOfResource ?? port;
  }
}

/**
 * The port of a database defined in this app, known at synth time: the one its CloudFormation
 * resource sets, else its engine's default (which RDS then uses). Security-group rules on a concrete
 * port can be checked by cdk-nag's port rules; on the endpoint attribute they cannot.
 */
function knownPort(database: rds.IDatabaseInstance | rds.IDatabaseCluster): number | undefined {
  const resource = database.node.defaultChild;
  if (!(resource instanceof rds.CfnDBInstance || resource instanceof rds.CfnDBCluster)) return undefined;
  const port: string | number | undefined = resource.port;
  if (port !== undefined) {
    return Token.isUnresolved(port) ? undefined : Number(port);
  }
  return DEFAULT_PORTS[database.engine?.engineFamily ?? ''];
}

/** RDS's default port per engine family (PostgreSQL and Aurora PostgreSQL; MySQL, MariaDB and Aurora MySQL). */
const DEFAULT_PORTS: Record<string, number> = { POSTGRESQL: 5432, MYSQL: 3306 };
