namespace BlueGreen.Infrastructure.Tests;

/// <summary>The per-deployment log and report paths: a product id names its file as is; no id leaves its folder.</summary>
public sealed class HomeTests
{
    private static readonly Home Home = Home.At("/srv/bluegreen");

    [Fact]
    public void A_deployment_id_of_the_product_names_its_files_as_it_is()
    {
        const string id = "20261129T180000-a1b2c3";
        var at = new DateTimeOffset(2026, 11, 29, 18, 0, 1, 250, TimeSpan.Zero);

        Assert.Equal("/srv/bluegreen/var/log/deploy/shop-20261129T180000-a1b2c3.log", Home.DeployLog("shop", id));
        Assert.Equal("/srv/bluegreen/var/log/tests/shop-20261129T180000-a1b2c3.log", Home.TestLog("shop", id));
        Assert.Equal("/srv/bluegreen/var/log/validation/shop-20261129T180000-a1b2c3-20261129T180001.250Z.json", Home.ValidationReport("shop", id, at));
    }

    [Theory]
    [InlineData("../../etc/x")]
    [InlineData("a/b")]
    [InlineData("/abs")]
    public void An_id_read_back_from_a_hand_edited_state_file_stays_in_its_folder(string id)
    {
        Assert.Equal("/srv/bluegreen/var/log/deploy", Path.GetDirectoryName(Path.GetFullPath(Home.DeployLog("shop", id))));
        Assert.Equal("/srv/bluegreen/var/log/tests", Path.GetDirectoryName(Path.GetFullPath(Home.TestLog("shop", id))));
        Assert.Equal("/srv/bluegreen/var/log/validation", Path.GetDirectoryName(Path.GetFullPath(Home.ValidationReport("shop", id, DateTimeOffset.UnixEpoch))));
    }
}
