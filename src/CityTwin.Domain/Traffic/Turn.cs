namespace CityTwin.Domain.Traffic;

/// <summary>Which way a vehicle turns from one link into the next (<see cref="RoadNetwork.TurnOf"/>).</summary>
public enum Turn { Right, Straight, Left, Back }
