using Aether.Agent.Sessions;

namespace Aether.Agent.Tests.Sessions;

public sealed class ClassIdAllocatorTests
{
    private static readonly ShardKey A = new("sub0", 1);
    private static readonly ShardKey B = new("sub0", 2);

    [Fact]
    public void An_ended_sessions_class_is_re_used_on_its_shard_only()
    {
        var ids = new ClassIdAllocator();
        var first = ids.Allocate(A);
        ids.Release(first, A);

        var other = ids.Allocate(B);
        var again = ids.Allocate(A);

        Assert.NotEqual(first, other);
        Assert.Equal(first, again);
        Assert.Equal(0, ids.Parked);
    }

    [Fact]
    public void Ids_never_collide_with_parked_or_held_ones()
    {
        var ids = new ClassIdAllocator();
        var held = Enumerable.Range(0, 100).Select(_ => ids.Allocate(A)).ToList();
        foreach (var id in held.Take(50))
        {
            ids.Release(id, A);
        }

        var fresh = Enumerable.Range(0, 100).Select(_ => ids.Allocate(B)).ToList();

        Assert.Empty(fresh.Intersect(held));
        Assert.Equal(50, ids.Parked);
    }

    [Fact]
    public void A_recovered_session_takes_its_id_out_of_the_parked_ones()
    {
        var ids = new ClassIdAllocator();
        Assert.True(ids.ParkFound(0x20, A));

        Assert.True(ids.Reserve(0x20));

        Assert.Equal(0, ids.Parked);
        Assert.NotEqual((ushort)0x20, ids.Allocate(A));
    }

    [Fact]
    public void When_every_id_is_taken_a_class_parked_on_another_shard_moves()
    {
        var ids = new ClassIdAllocator();
        var all = Enumerable.Range(0, ClassIdAllocator.Last - ClassIdAllocator.First + 1).Select(_ => ids.Allocate(A)).ToList();
        ids.Release(all[7], A);

        Assert.Equal(all[7], ids.Allocate(B));
        Assert.Throws<InvalidOperationException>(() => ids.Allocate(B));
    }

    [Fact]
    public void Ids_the_pool_is_creating_go_to_no_session_until_they_are_parked()
    {
        var ids = new ClassIdAllocator();
        var pending = ids.ReserveForPool(ClassIdAllocator.Capacity - 1);

        var session = ids.Allocate(A);
        Assert.Throws<InvalidOperationException>(() => ids.Allocate(A));
        ids.ParkCreated(pending[0], B);

        Assert.DoesNotContain(session, pending);
        Assert.Equal(pending[0], ids.Allocate(B));
        Assert.Equal(0, ids.ParkedOn(B));
    }

    [Fact]
    public void Ids_of_a_cancelled_pool_batch_are_free_again()
    {
        var ids = new ClassIdAllocator();
        var pending = ids.ReserveForPool(ClassIdAllocator.Capacity);

        ids.CancelPending(pending.Take(1));

        Assert.Equal(pending[0], ids.Allocate(A));
        Assert.Empty(ids.ReserveForPool(1));
    }
}
