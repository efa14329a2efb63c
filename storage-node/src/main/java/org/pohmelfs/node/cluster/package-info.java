/**
 * The storage node's part in the cluster (design.md §4): epoch fencing of requests
 * ({@link org.pohmelfs.node.cluster.EpochFence}) and, next, following the cluster map in
 * ZooKeeper ({@link org.pohmelfs.node.cluster.MapFollower}).
 */
package org.pohmelfs.node.cluster;
